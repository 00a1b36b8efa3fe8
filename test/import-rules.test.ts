/**
 * How src/ may import itself (dpdm reads every import, type-only and dynamic ones too):
 * no circles; a learned optimizer does not know how it is trained (learned/ imports
 * nothing from meta/ but the shared config decoder); meta-trainers and learned
 * optimizers do not know the suite runner (no suite/ from meta/ or learned/); tasks do
 * not know MAML, which trains their initialisation (no meta/ from tasks/).
 */
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree, type DependencyTree } from 'dpdm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Rule {
  from: string;
  to: string;
  except?: readonly string[];
  why: string;
}

const RULES: readonly Rule[] = [
  { from: 'src/learned/', to: 'src/meta/', except: ['src/meta/decodeConfig.ts'], why: 'a learned optimizer does not know its meta-trainer' },
  { from: 'src/learned/', to: 'src/suite/', why: 'learned optimizers do not know the suite runner' },
  { from: 'src/meta/', to: 'src/suite/', why: 'meta-trainers do not know the suite runner' },
  { from: 'src/tasks/', to: 'src/meta/', why: 'tasks do not know MAML (the suite\'s prepare step trains their initialisation)' },
];

/** Every import in `tree` that breaks a rule, as "importer → imported (why)". */
export function violations(tree: DependencyTree, rules: readonly Rule[] = RULES): string[] {
  const out: string[] = [];
  for (const [file, deps] of Object.entries(tree)) {
    for (const dep of deps ?? []) {
      if (dep.id === null) continue;
      for (const rule of rules) {
        if (file.startsWith(rule.from) && dep.id.startsWith(rule.to) && !(rule.except ?? []).includes(dep.id)) out.push(`${file} → ${dep.id} (${rule.why})`);
      }
    }
  }
  return out;
}

let tree: DependencyTree | undefined;
const srcTree = async () => {
  if (tree === undefined) {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      tree = await parseDependencyTree('src/**/*.ts', { context: root, transform: false, skipDynamicImports: false });
    } finally {
      process.chdir(cwd);
    }
  }
  return tree;
};

test('src/ has no import circles', async (t) => {
  const circles = parseCircular(await srcTree());
  t.deepEqual(circles.map((c) => c.join(' → ')), []);
});

test('learned/, meta/ and tasks/ import only what their layer may', async (t) => {
  const found = await srcTree();
  t.true(Object.keys(found).length > 150, 'dpdm read the source tree');
  t.deepEqual(violations(found), []);
});

test('the rules catch a violation and a circle', (t) => {
  const dep = (issuer: string, id: string) => ({ issuer, request: id, kind: 'StaticImport' as never, id });
  const planted: DependencyTree = {
    'src/learned/x.ts': [dep('src/learned/x.ts', 'src/meta/ppo/trainPpo.ts'), dep('src/learned/x.ts', 'src/meta/decodeConfig.ts')],
    'src/meta/ppo/trainPpo.ts': [dep('src/meta/ppo/trainPpo.ts', 'src/learned/x.ts')],
  };
  t.deepEqual(violations(planted), ['src/learned/x.ts → src/meta/ppo/trainPpo.ts (a learned optimizer does not know its meta-trainer)']);
  t.is(parseCircular(planted).length, 1);
});
