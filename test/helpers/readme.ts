/** README.md's fenced code blocks, for the tests that run them as written. */
import { readFileSync } from 'node:fs';

export interface Block {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    blocks.push({ lang: match[1]!, code: match[2]!, line: markdown.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

/** The package name a browser program imports; Node programs import 'alphaopt'. */
export const WEB_IMPORT = "from 'alphaopt/web'";

export function readmeBlocks(): Block[] {
  return codeBlocks(readFileSync('README.md', 'utf8'));
}

const isProgram = (b: Block) => b.lang === 'ts' || b.lang === 'js';
/** ts/js blocks that run in Node (test/readme-examples.test.ts). */
export const nodePrograms = (blocks: Block[]) => blocks.filter((b) => isProgram(b) && !b.code.includes(WEB_IMPORT));
/** ts/js blocks importing 'alphaopt/web': browser programs (test/web.test.ts runs them in Chromium). */
export const browserPrograms = (blocks: Block[]) => blocks.filter((b) => isProgram(b) && b.code.includes(WEB_IMPORT));
