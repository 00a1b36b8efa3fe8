/** Train in your tab: a small digit classifier with a chosen optimizer, live loss and test accuracy. */
import { loadPretrained, pretrainedNames, rules, tf, toTfjsOptimizer } from '../../src/web/index.js';
import { formatNumber } from '../../src/reporting/tables.js';
import { drawLineChart } from './chart.js';
import { clearErrors, currentBackend, element, messageOf, params, requestedBackend, showError, useBackend } from './common.js';

const BASELINES = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'adamax', 'amsgrad', 'adamw'] as const;
const PIXELS = 196;

interface Digits {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

async function loadDigits(): Promise<Digits> {
  const url = new URL('data/digits-14x14.bin', document.baseURI).href;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}; rebuild the site (npm run build:web)`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const count = bytes.byteLength / (1 + PIXELS);
  if (!Number.isInteger(count)) throw new Error(`${url}: ${bytes.byteLength} bytes is not a whole number of 14×14 digits`);
  return { labels: bytes.subarray(0, count), images: Float32Array.from(bytes.subarray(count), (b) => b / 255), count };
}

function optimizerFor(choice: string, learningRate: number): Promise<tf.Optimizer> {
  if ((BASELINES as readonly string[]).includes(choice)) {
    return Promise.resolve(toTfjsOptimizer(rules.ruleFromSpec({ rule: choice, options: { learningRate } })));
  }
  return loadPretrained(choice).then((learned) => toTfjsOptimizer(learned, 'frozen'));
}

async function train(digits: Digits): Promise<void> {
  clearErrors();
  const button = element<HTMLButtonElement>('train');
  const status = element('status');
  const body = element('progress').querySelector('tbody')!;
  const choice = element<HTMLSelectElement>('optimizer').value;
  const learningRate = Number(element<HTMLInputElement>('learning-rate').value);
  const epochs = Math.max(1, Number(element<HTMLInputElement>('epochs').value) || 1);
  const batchSize = Math.max(1, Number(element<HTMLInputElement>('batch').value) || 32);
  const backend = element<HTMLSelectElement>('backend').value as ReturnType<typeof requestedBackend>;
  const log = { losses: [] as number[], accuracies: [] as number[], done: false, choice, backend };
  (window as unknown as { alphaoptTrain: unknown }).alphaoptTrain = log;
  button.disabled = true;
  body.replaceChildren();
  const trainCount = digits.count - 500;
  try {
    if (currentBackend() !== backend) await useBackend(backend);
    const optimizer = await optimizerFor(choice, learningRate);
    const [xs, ys, xt] = tf.tidy(() => {
      const all = tf.tensor2d(digits.images, [digits.count, PIXELS]);
      return [all.slice([0, 0], [trainCount, PIXELS]), tf.oneHot(tf.tensor1d(digits.labels.subarray(0, trainCount), 'int32'), 10), all.slice([trainCount, 0], [500, PIXELS])];
    });
    const testLabels = digits.labels.subarray(trainCount);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [PIXELS], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const accuracy = async () => {
      const predicted = tf.tidy(() => (model.predict(xt) as tf.Tensor).argMax(1));
      const values = Array.from(await predicted.data());
      predicted.dispose();
      return values.reduce((n: number, v, i) => n + (v === testLabels[i] ? 1 : 0), 0) / values.length;
    };
    let pending = false;
    const redraw = () => {
      pending = false;
      drawLineChart(element('loss-chart') as unknown as SVGSVGElement, [{ name: 'training loss', color: '#1f77b4', points: log.losses.map((l, i) => [i + 1, l]) }], { xLabel: 'batch', yLabel: 'cross-entropy' });
      drawLineChart(element('accuracy-chart') as unknown as SVGSVGElement, [{ name: 'test accuracy', color: '#d62728', points: log.accuracies.map((a, i) => [i, a]) }], {
        xLabel: 'epoch',
        yLabel: 'test accuracy',
        xDomain: [0, epochs],
        yDomain: [0, 1],
      });
    };
    log.accuracies.push(await accuracy());
    redraw();
    status.textContent = `training with ${choice} on ${backend}…`;
    let epochLosses: number[] = [];
    await model.fit(xs, ys, {
      epochs,
      batchSize,
      shuffle: true,
      callbacks: {
        onBatchEnd: async (_batch, logs) => {
          const loss = Number(logs?.['loss']);
          log.losses.push(loss);
          epochLosses.push(loss);
          status.textContent = `epoch ${log.accuracies.length} of ${epochs}: loss ${formatNumber(loss)}`;
          if (!pending) {
            pending = true;
            requestAnimationFrame(redraw);
          }
          await tf.nextFrame();
        },
        onEpochEnd: async (epoch) => {
          const acc = await accuracy();
          log.accuracies.push(acc);
          const mean = epochLosses.reduce((a, b) => a + b, 0) / epochLosses.length;
          epochLosses = [];
          const tr = document.createElement('tr');
          tr.innerHTML = `<td class="num">${epoch + 1}</td><td class="num">${formatNumber(mean)}</td><td class="num">${(100 * acc).toFixed(1)}%</td>`;
          body.append(tr);
          redraw();
        },
      },
    });
    tf.dispose([xs, ys, xt]);
    model.dispose();
    optimizer.dispose();
    status.textContent = `done: test accuracy ${(100 * log.accuracies[log.accuracies.length - 1]!).toFixed(1)}% after ${epochs} epoch(s)`;
    log.done = true;
  } catch (error) {
    showError(`training failed: ${messageOf(error)}`);
    status.textContent = '';
  } finally {
    button.disabled = false;
  }
}

async function main(): Promise<void> {
  const select = element<HTMLSelectElement>('optimizer');
  const baselines = document.createElement('optgroup');
  baselines.label = 'hand-designed';
  for (const name of BASELINES) baselines.append(new Option(name, name));
  select.append(baselines);
  element<HTMLSelectElement>('backend').value = requestedBackend();
  try {
    const learned = document.createElement('optgroup');
    learned.label = 'learned (frozen)';
    for (const name of await pretrainedNames()) learned.append(new Option(name, name));
    select.append(learned);
  } catch (error) {
    showError(`the list of shipped checkpoints could not be read: ${messageOf(error)}`);
  }
  select.value = params.get('optimizer') ?? 'adam';
  if (params.get('lr') !== null) element<HTMLInputElement>('learning-rate').value = params.get('lr')!;
  if (params.get('epochs') !== null) element<HTMLInputElement>('epochs').value = params.get('epochs')!;
  let digits: Digits;
  try {
    [digits] = await Promise.all([loadDigits(), useBackend(requestedBackend())]);
  } catch (error) {
    showError(messageOf(error));
    return;
  }
  element('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    void train(digits);
  });
  document.body.dataset['ready'] = 'true';
}

void main();
