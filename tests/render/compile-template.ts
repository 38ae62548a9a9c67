import { generateFill } from '../../scripts/build-templates.ts';
import { type CompiledTemplate, compileSlots } from '../../src/render/slots.ts';

/**
 * Compiles marked-up text into a template at run time, for tests of ad-hoc templates. Tests run
 * on Node only: the product runs the fills generated at build time (src/render/compiled/), since
 * Workers forbid making code at run time.
 */
export function compileTemplate(html: string): CompiledTemplate {
  const { literals, memos, body } = generateFill(compileSlots(html));
  return { literals, memos, fill: new Function('d', 'r', body) as CompiledTemplate['fill'] };
}
