/** One tool instance per name; the closed union of names makes a missing tool a compile error. */
import { assertNever } from '../model';
import { BoxTool } from './box-tool';
import { SelectTool } from './select-tool';
import { TagTool } from './tag-tool';
import type { Tool, ToolContext, ToolName } from './types';
import { VertexTool } from './vertex-tool';

export * from './types';
export { SelectTool, HIT_TOLERANCE_PX, HANDLE_RADIUS_PX } from './select-tool';

export function createTool(name: ToolName, ctx: ToolContext): Tool {
  switch (name) {
    case 'select':
      return new SelectTool(ctx);
    case 'rectangle':
    case 'ellipse':
      return new BoxTool(name, ctx);
    case 'polygon':
    case 'polyline':
    case 'points':
      return new VertexTool(name, ctx);
    case 'tag':
      return new TagTool(ctx);
    default:
      return assertNever(name, 'tool');
  }
}
