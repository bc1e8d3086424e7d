/**
 * What annotation code needs to know of a label schema: labels by id with their type, attribute
 * specs (with ids, as values refer to them by spec_id) and skeleton sublabels.
 */
import type { AttributeSpec, LabelType } from '../labels.js';

export interface AttributeSpecWithId extends AttributeSpec {
  id: number;
}

export interface SchemaLabel {
  id: number;
  name: string;
  type: LabelType;
  attributes: AttributeSpecWithId[];
  /** Skeleton points, empty for other labels. */
  sublabels: SchemaLabel[];
}

export interface LabelSchema {
  labels: SchemaLabel[];
}
