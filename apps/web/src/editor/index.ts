/** The annotation engine's public surface (README.md). Framework-free: no React, no DOM. */
export { Editor, type EditorOptions, type KeyInput, type ObjectPatch, type PointerInput, type WheelInput } from './editor';
export type { AnnotationRecord, EditorAttribute, EditorLabel, ObjectKind, ShapeKind, Source } from './model';
export { labelFits, defaultAttributes, attributeDefault } from './model';
export type { ChangeBatch, ChangeSet, CvatAnnotations, CvatShape, CvatTag } from './cvat';
export type { ToolName, Draft } from './tools';
export { TOOL_NAMES } from './tools';
export type { Viewport } from './viewport';
export { imagePoint, viewPoint, type ImagePoint, type ViewPoint, type ImageBox, type Size } from './coords';
export { toImage, toView } from './viewport';
