import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@clawxmpp/source"] },
  ssr: { resolve: { conditions: ["@clawxmpp/source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Each file starts its own Prosody; logins and restarts take real time.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: two files (two Prosody instances) at a time.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
