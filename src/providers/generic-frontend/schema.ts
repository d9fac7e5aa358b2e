import * as v from 'valibot';
import { secretNamesField } from '../../core/provider-kit/fields.js';
import { processEntries } from '../../core/provider-kit/process-schema.js';

/** The one process schema (the Go reference's keys accepted as aliases), plus secret variable names to mask. */
export const genericFrontendDevSchema = v.strictObject({
  ...processEntries,
  secrets: secretNamesField(),
});

export const genericFrontendSchema = v.strictObject({
  dev: v.pipe(genericFrontendDevSchema, v.description("How `stagecraft dev` runs the web app's dev server.")),
});

export type GenericFrontendConfig = v.InferOutput<typeof genericFrontendSchema>;
export type GenericFrontendDevConfig = v.InferOutput<typeof genericFrontendDevSchema>;
