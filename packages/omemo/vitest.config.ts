import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@clawxmpp/source"] },
  ssr: { resolve: { conditions: ["@clawxmpp/source"] } },
  test: { include: ["src/**/*.test.ts"] },
});
