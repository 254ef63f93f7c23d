/**
 * The ad-hoc command the fuzz target serves (XEP-0050): two stages, a form
 * with a validated integer field (XEP-0122), then a result. Fuzzed
 * `<command/>` requests exercise its session and form handling.
 */
import {
  type CommandDefinition,
  completed,
  dataForm,
  executing,
  textSingleField,
} from "@clawxmpp/commands";

const form = dataForm({
  title: "Profile",
  fields: [
    textSingleField("name", { required: true, label: "Name" }),
    textSingleField("age", { validate: { datatype: "xs:integer" } }),
  ],
});

/** The command definition given to `commands.add()`. */
export const fuzzCommand: CommandDefinition = {
  node: "fuzz-profile",
  name: "Profile",
  run(request) {
    if (request.stage === 0) return executing(form);
    return completed(`Hello ${request.valuesOf(form).name}`);
  },
};
