/**
 * XEP-0114 components a test server accepts, with their XEP-0356 (privileged
 * entity) and XEP-0355 (namespace delegation) grants, rendered for each server
 * kind: Prosody's `Component` sections with prosody-modules' `mod_privilege`
 * and `mod_delegation` settings, ejabberd's `ejabberd_service` listeners with
 * `mod_privilege` and `mod_delegation` guarded by one ACL per grant.
 */

/** What a component may do on behalf of the server's users (XEP-0356 §4). */
export interface ComponentGrants {
  /** Roster access: `get`, `set` or `both`. */
  roster?: "get" | "set" | "both";
  /** Messages sent on behalf of users. */
  message?: "outgoing";
  /** IQs sent on behalf of users, by namespace (XEP-0356 §5.3). */
  iq?: Record<string, "get" | "set" | "both">;
}

/** One XEP-0114 component the server accepts on a loopback port. */
export interface TestComponentSpec {
  /** The component's domain, e.g. `bots.localhost`. */
  domain: string;
  /** The handshake secret. */
  secret: string;
  /** Loopback port of its listener (one port per component). */
  port: number;
  /** XEP-0356 grants; Prosody needs prosody-modules' `mod_privilege` for them. */
  privileges?: ComponentGrants;
  /** Namespaces delegated to it (XEP-0355); Prosody needs prosody-modules' `mod_delegation`. */
  delegations?: readonly string[];
}

const quote = (value: string) => JSON.stringify(value);

/**
 * Prosody: the modules to enable globally (the grants are announced and enforced on the users'
 * host too), the global settings (ports, grants) and the `Component` sections.
 */
export function prosodyComponents(specs: readonly TestComponentSpec[]): {
  modules: string[];
  global: string;
  sections: string;
} {
  if (specs.length === 0) return { modules: [], global: "", sections: "" };
  const entities = specs
    .filter((s) => s.privileges !== undefined)
    .map((s) => {
      const p = s.privileges ?? {};
      const iq = Object.entries(p.iq ?? {})
        .map(([ns, type]) => `[${quote(ns)}] = ${quote(type)}`)
        .join("; ");
      const fields = [
        p.roster ? `roster = ${quote(p.roster)}` : "",
        p.message ? `message = ${quote(p.message)}` : "",
        iq ? `iq = { ${iq} }` : "",
      ].filter(Boolean);
      return `[${quote(s.domain)}] = { ${fields.join("; ")} }`;
    });
  const delegations = specs.flatMap((s) =>
    (s.delegations ?? []).map((ns) => `[${quote(ns)}] = { jid = ${quote(s.domain)} }`),
  );
  const global = [
    `component_ports = { ${specs.map((s) => s.port).join(", ")} }`,
    `component_interfaces = { "127.0.0.1" }`,
    entities.length > 0 ? `privileged_entities = { ${entities.join("; ")} }` : "",
    delegations.length > 0 ? `delegations = { ${delegations.join("; ")} }` : "",
  ]
    .filter(Boolean)
    .join("\n");
  const sections = specs
    .map((s) => {
      // Both modules announce their grants from the component's host when it authenticates.
      const modules = [
        s.privileges ? '"privilege"' : "",
        (s.delegations?.length ?? 0) > 0 ? '"delegation"' : "",
      ].filter(Boolean);
      return [
        `Component ${quote(s.domain)}`,
        `  component_secret = ${quote(s.secret)}`,
        modules.length > 0 ? `  modules_enabled = { ${modules.join(", ")} }` : "",
      ]
        .filter(Boolean)
        .join("\n");
    })
    .join("\n\n");
  const modules = [
    ...(entities.length > 0 ? ["privilege"] : []),
    ...(delegations.length > 0 ? ["delegation"] : []),
  ];
  return { modules, global, sections };
}

/** ejabberd: listener entries, ACLs, access rules and module settings, as YAML fragments. */
export function ejabberdComponents(specs: readonly TestComponentSpec[]): {
  listen: string;
  acl: string;
  accessRules: string;
  modules: string;
} {
  const listen = specs
    .map(
      (s) => `  - port: ${s.port}
    ip: "127.0.0.1"
    module: ejabberd_service
    shaper_rule: none
    hosts:
      ${quote(s.domain)}:
        password: ${quote(s.secret)}
`,
    )
    .join("");
  // One ACL (and access rule of the same name) per component: grants name it.
  const rule = (index: number) => `clawxmpp_component_${index}`;
  const acl = specs.map((s, i) => `  ${rule(i)}:\n    server: ${quote(s.domain)}\n`).join("");
  const accessRules = specs.map((_s, i) => `  ${rule(i)}:\n    allow: ${rule(i)}\n`).join("");
  const roster: string[] = [];
  const message: string[] = [];
  const iq: string[] = [];
  const namespaces: string[] = [];
  specs.forEach((s, i) => {
    const p = s.privileges;
    if (p?.roster) roster.push(`      ${p.roster}: ${rule(i)}\n`);
    if (p?.message) message.push(`      ${p.message}: ${rule(i)}\n`);
    for (const [ns, type] of Object.entries(p?.iq ?? {})) {
      iq.push(`      ${quote(ns)}:\n        ${type}: ${rule(i)}\n`);
    }
    for (const ns of s.delegations ?? []) {
      namespaces.push(`      ${quote(ns)}:\n        access: ${rule(i)}\n`);
    }
  });
  const privilege = [
    roster.length > 0 ? `    roster:\n${roster.join("")}` : "",
    message.length > 0 ? `    message:\n${message.join("")}` : "",
    iq.length > 0 ? `    iq:\n${iq.join("")}` : "",
  ].join("");
  const modules =
    (privilege ? `  mod_privilege:\n${privilege}` : "") +
    (namespaces.length > 0 ? `  mod_delegation:\n    namespaces:\n${namespaces.join("")}` : "");
  return { listen, acl, accessRules, modules };
}
