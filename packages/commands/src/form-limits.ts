/**
 * Bounds applied to every data form read from the network, so a hostile
 * form costs bounded memory and time before any field is looked at.
 */

/** Limits on a parsed form. */
export interface FormLimits {
  /** Most fields (including `reported` columns and every `item` cell). */
  maxFields: number;
  /** Most `<value/>` elements in one field. */
  maxValues: number;
  /** Longest value, title, label or instruction, in characters. */
  maxValueLength: number;
  /** Most `<option/>` elements in one field. */
  maxOptions: number;
  /** Most `<item/>` rows in a result. */
  maxItems: number;
  /** Most `<instructions/>` lines. */
  maxInstructions: number;
  /** Longest XEP-0122 regex, in characters. */
  maxRegexLength: number;
}

/** Defaults: generous for any real form, small enough that a hostile one is cheap. */
export const DEFAULT_FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  maxFields: 200,
  maxValues: 256,
  maxValueLength: 10_000,
  maxOptions: 500,
  maxItems: 500,
  maxInstructions: 50,
  maxRegexLength: 256,
});
