export { CommandClient, type RemoteCommand } from "./command-client.js";
export { commandElement, commandStanzaError, stageActions } from "./command-element.js";
export { CommandRegistry } from "./command-registry.js";
export { type CommandResponse, parseCommandResponse } from "./command-response.js";
export { CommandServer } from "./command-server.js";
export {
  type CommandAction,
  type CommandDefinition,
  type CommandNote,
  type CommandRequest,
  type CommandStage,
  type CommandStatus,
  completed,
  executing,
  type StageAction,
} from "./command-types.js";
export {
  COMMAND_CONDITIONS,
  type CommandCondition,
  CommandsError,
  type CommandsErrorOptions,
  type FieldError,
} from "./commands-error.js";
export type { CommandsHandle } from "./commands-handle.js";
export {
  type CommandsOptions,
  type CommandsOptionsInput,
  commandsOptionsSchema,
  formLimitsSchema,
} from "./commands-options.js";
export { commands } from "./commands-plugin.js";
export {
  type BuiltField,
  booleanField,
  dataForm,
  type FieldInit,
  fixedField,
  hiddenField,
  jidMultiField,
  jidSingleField,
  listMultiField,
  listSingleField,
  resultTable,
  type TypedForm,
  textMultiField,
  textPrivateField,
  textSingleField,
} from "./form-builder.js";
export { formElement } from "./form-element.js";
export { DEFAULT_FORM_LIMITS, type FormLimits } from "./form-limits.js";
export { findForm, parseForm } from "./form-parse.js";
export {
  type AnyFieldValue,
  type DataForm,
  FIELD_TYPES,
  type FieldOption,
  type FieldType,
  type FieldValidation,
  type FieldValue,
  FORM_TYPES,
  type FormField,
  type FormType,
  type FormValues,
  type LooseFormValues,
  type ValidationMethod,
} from "./form-types.js";
export {
  type ValidateOptions,
  type ValidationResult,
  validateSubmission,
} from "./form-validate.js";
export { fillForm, rawValues, readValues, typedValue } from "./form-values.js";
export {
  NS_COMMANDS,
  NS_DATA,
  NS_DATA_VALIDATE,
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
} from "./namespaces.js";
export { checkHints, type HintProblem, matchesDatatype } from "./xdata-checks.js";
export { parseValidation, validateElement } from "./xdata-validate.js";
