/**
 * Behaviour pins (see test/helpers/pin.ts): `npm start`'s 2,680 finalLoss values and loss curves,
 * shipped checkpoints' trajectories, and short meta-training runs of every rule meta-trainer are
 * exactly what test/fixtures/pins.json recorded at the commit it names.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { computePins, type Pins } from './helpers/pin.js';

test('npm start\'s suite, shipped checkpoints\' trajectories and short meta-trainings give the pinned numbers', async (t) => {
  const fixture = JSON.parse(await readFile(new URL('./fixtures/pins.json', import.meta.url), 'utf8')) as Pins & { generatedAt: string; command: string };
  const pins = await computePins();
  t.is(pins.suite.runs, 2680);
  t.deepEqual(pins.suite, fixture.suite);
  t.deepEqual(pins.trajectories, fixture.trajectories);
  // Infinity is written as null in JSON: compare through the same serialisation.
  t.deepEqual(JSON.parse(JSON.stringify(pins.metaTraining)), fixture.metaTraining);
});
