/** A task's labels as the dataset model names them (codecs see names, colours and skeleton drawings). */
import { schemaToDatasetLabels, type DatasetLabel, type LabelSchema } from '@framewise/core';
import type { LabelRecord } from '../../repositories/label.repository.js';
import { labelSchema } from '../annotations/validation.js';

export function schemaOf(rows: LabelRecord[]): LabelSchema {
  return labelSchema(rows);
}

export function datasetLabelsOf(rows: LabelRecord[], schema: LabelSchema): DatasetLabel[] {
  const colors = new Map<number, string>();
  const svg = new Map<number, string>();
  const visit = (l: LabelRecord) => {
    colors.set(l.id, l.color);
    if (l.svg) svg.set(l.id, l.svg);
    l.sublabels.forEach(visit);
  };
  rows.forEach(visit);
  return schemaToDatasetLabels(schema, { colors, svg });
}
