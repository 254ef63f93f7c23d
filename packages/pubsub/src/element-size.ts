/**
 * A cheap upper bound on how large an element is once serialised, computed
 * without serialising it and stopping as soon as the limit is passed, so a
 * hostile payload costs at most `limit` work to reject.
 */
import type { Element } from "@clawxmpp/core";

/** True when `element` serialises to more than `limit` characters (approximately, erring large). */
export function exceedsSize(element: Element, limit: number): boolean {
  let total = 0;
  const stack: (Element | string)[] = [element];
  while (stack.length > 0) {
    const node = stack.pop() as Element | string;
    if (typeof node === "string") {
      total += node.length;
    } else {
      total += node.name.length * 2 + 5;
      for (const [key, value] of Object.entries(node.attrs)) {
        total += key.length + (value?.length ?? 0) + 4;
      }
      for (const child of node.children) stack.push(child);
    }
    if (total > limit) return true;
  }
  return false;
}
