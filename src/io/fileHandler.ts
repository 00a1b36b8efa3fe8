/**
 * `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` in Node with plain
 * `@tensorflow/tfjs` (only tfjs-node ships a file handler). Same layout as tfjs-node's: `model.json`
 * (topology, training config, weights manifest) beside one `weights.bin`, so either can read the
 * other's files. Registered when AlphaOpt is imported in Node; when tfjs-node's 'tensorflow'
 * backend is registered, its own handler serves `file://` and this one steps aside (tfjs refuses
 * two handlers for one URL).
 */
import tf from '#tfjs';

const SCHEME = 'file://';
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/** Model-JSON fields copied from artifacts when present (tfjs's ModelJSON minus the manifest). */
const JSON_FIELDS = ['modelTopology', 'format', 'generatedBy', 'convertedBy', 'trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;

export class FileHandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileHandlerError';
  }
}

/**
 * An IOHandler on a local path: save writes `<dir>/model.json` and `<dir>/weights.bin`
 * (`dir` may also be given as `<dir>/model.json`); load reads a `model.json` (or the one inside `dir`).
 */
export function fileSystemHandler(location: string): tf.io.IOHandler {
  const target = location.startsWith(SCHEME) ? location.slice(SCHEME.length) : location;
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const { mkdir, writeFile, rename } = await import('node:fs/promises');
      const path = await import('node:path');
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new FileHandlerError(`${location}: binary model topologies are not supported; save a layers model`);
      const dir = path.basename(target) === MODEL_FILE ? path.dirname(target) : target;
      await mkdir(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: Record<string, unknown> = { weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }] };
      for (const field of JSON_FIELDS) if (artifacts[field] !== undefined) modelJson[field] = artifacts[field];
      // Weights first, then the manifest that describes them: a crash never leaves a model.json without its weights.
      const write = async (file: string, data: string | Uint8Array) => {
        const temp = `${file}.tmp-${process.pid}`;
        await writeFile(temp, data);
        await rename(temp, file);
      };
      await write(path.join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      await write(path.join(dir, MODEL_FILE), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const { readFile, stat } = await import('node:fs/promises');
      const path = await import('node:path');
      const file = (await stat(target).catch(() => undefined))?.isDirectory() === true ? path.join(target, MODEL_FILE) : target;
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await readFile(file, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new FileHandlerError(`cannot read ${file}: ${(error as Error).message}`);
      }
      if (typeof modelJson !== 'object' || modelJson === null || modelJson.modelTopology === undefined) {
        throw new FileHandlerError(`${file} is not a tfjs model.json (no modelTopology)`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const relative of group.paths) {
            const weightsFile = path.join(path.dirname(file), relative);
            const bytes = await readFile(weightsFile).catch((error: Error) => {
              throw new FileHandlerError(`cannot read ${weightsFile} (named by ${file}): ${error.message}`);
            });
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [manifest.flatMap((group) => group.weights), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** Routes `file://` URLs here unless tfjs-node, which has its own handler, is loaded. */
// tfjs's IORouter type says IOHandler, but its registry skips routers that return null.
const fileRouter = ((url: string | string[]): tf.io.IOHandler | null => {
  if (Array.isArray(url) || !url.startsWith(SCHEME)) return null;
  if (tf.findBackendFactory('tensorflow') !== null) return null;
  return fileSystemHandler(url);
}) as (url: string | string[]) => tf.io.IOHandler;

let registered = false;

/** Registers the `file://` handler with tfjs's IO router (once; a no-op outside Node). */
export function registerFileHandler(): void {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (registered || !isNode) return;
  registered = true;
  tf.io.registerSaveRouter(fileRouter);
  tf.io.registerLoadRouter(fileRouter);
}

registerFileHandler();
