import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@clawxmpp/source"] },
  ssr: { resolve: { conditions: ["@clawxmpp/source"] } },
  test: {
    // CI runs three packages at once on 2 cores: a property test took >5 s (the default) there.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    include: ["src/**/*.test.ts"],
  },
});
