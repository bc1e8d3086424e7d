/**
 * CVAT's label payloads: PatchedLabelRequest / SublabelRequest / AttributeRequest in, Label out.
 *
 * Type, input type and color are plain strings here on purpose: the label rules (packages/core)
 * check them, so a bad one is answered with its full path (`labels[2].attributes[0].input_type`)
 * like every other label problem, and the browser's editor applies the very same rules.
 */
import { ATTRIBUTE_INPUT_TYPES, LABEL_TYPES } from '@framewise/core';
import { z } from 'zod';
import type { AttributeRecord, LabelRecord } from '../repositories/label.repository.js';

const typeText = `one of ${LABEL_TYPES.join(', ')}; default any`;

export const attributeWriteSchema = z.object({
  id: z.number().int().optional().describe('Update this attribute; without it, the attribute of that name is updated or a new one added'),
  name: z.string().min(1).max(64),
  mutable: z.boolean(),
  input_type: z.string().describe(`one of ${ATTRIBUTE_INPUT_TYPES.join(', ')}`),
  default_value: z.string().max(128).optional(),
  values: z.array(z.string().max(200)),
  deleted: z.boolean().optional().describe('Delete the attribute (with id)'),
});
export type AttributeWrite = z.infer<typeof attributeWriteSchema>;

export const sublabelWriteSchema = z.object({
  id: z.number().int().optional(),
  name: z.string().min(1).max(64),
  color: z.string().optional().describe('#rrggbb; assigned from the palette when absent'),
  type: z.string().optional().describe(typeText),
  attributes: z.array(attributeWriteSchema).default([]),
  has_parent: z.boolean().optional(),
});
export type SublabelWrite = z.infer<typeof sublabelWriteSchema>;

export const labelWriteSchema = z.object({
  id: z.number().int().optional().describe('Update this label (PATCH of a project or task); without it a label is created'),
  name: z.string().min(1).max(64).optional(),
  color: z.string().optional().describe('#rrggbb; assigned from the palette when absent'),
  type: z.string().optional().describe(typeText),
  attributes: z.array(attributeWriteSchema).default([]),
  sublabels: z.array(sublabelWriteSchema).optional().describe('Points of a skeleton'),
  svg: z.string().optional().describe('Skeleton layout; refer to new points by data-label-name="<name>"'),
  deleted: z.boolean().optional().describe('Delete the label (with id; PATCH of a project or task only)'),
});
/** One CVAT label write object, as the project and task endpoints accept in `labels`. */
export type LabelWrite = z.infer<typeof labelWriteSchema>;

/** PATCH /api/labels/{id}: the same object; `id` comes from the path. */
export const labelPatchSchema = labelWriteSchema.omit({ id: true });

export const attributeReadSchema = z.object({
  id: z.number(),
  name: z.string(),
  mutable: z.boolean(),
  input_type: z.string(),
  default_value: z.string(),
  values: z.array(z.string()),
});

export const sublabelReadSchema = z.object({
  id: z.number(),
  name: z.string(),
  color: z.string(),
  attributes: z.array(attributeReadSchema),
  type: z.string(),
  has_parent: z.boolean(),
});

export const labelReadSchema = z.object({
  id: z.number(),
  name: z.string(),
  color: z.string(),
  attributes: z.array(attributeReadSchema),
  type: z.string(),
  svg: z.string().optional().describe('Skeletons only'),
  sublabels: z.array(sublabelReadSchema),
  project_id: z.number().optional(),
  task_id: z.number().optional(),
  parent_id: z.number().nullable(),
  has_parent: z.boolean(),
});
export type LabelDto = z.infer<typeof labelReadSchema>;

function toAttributeDto(a: AttributeRecord): z.infer<typeof attributeReadSchema> {
  return { id: a.id, name: a.name, mutable: a.mutable, input_type: a.input_type, default_value: a.default_value, values: a.values };
}

/**
 * As CVAT's LabelSerializer writes it: `svg` only on skeletons, and only one of project_id and
 * task_id (the other key is absent, not null). Points carry the short Sublabel form.
 */
export function toLabelDto(l: LabelRecord): LabelDto {
  return {
    id: l.id,
    name: l.name,
    color: l.color,
    attributes: l.attributes.map(toAttributeDto),
    type: l.type,
    ...(l.type === 'skeleton' ? { svg: l.svg } : {}),
    sublabels: l.sublabels.map((s) => ({
      id: s.id,
      name: s.name,
      color: s.color,
      attributes: s.attributes.map(toAttributeDto),
      type: s.type,
      has_parent: true,
    })),
    ...(l.project_id !== null ? { project_id: l.project_id } : {}),
    ...(l.task_id !== null ? { task_id: l.task_id } : {}),
    parent_id: l.parent_id,
    has_parent: l.parent_id !== null,
  };
}
