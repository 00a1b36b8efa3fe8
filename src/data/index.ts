/** `alphaopt/data`: the dataset catalog, lookup, verified downloads and the readers (IDX, CIFAR-10 binary, Omniglot). */
export { CATALOG as DATASETS, datasetEntry, type DatasetEntry, type RemoteFile } from './catalog.js';
export { locateDataset, dataDirectories, cacheDirectory, MissingDataError } from './locate.js';
export { fetchDataset, downloadVerified, ChecksumError, type DownloadOptions, type FetchOptions } from './download.js';
export { parseIdx, readIdx, DataFormatError, type IdxArray } from './idx.js';
export { loadMnistLike, MNIST_DATASETS, type ImageDataset } from './mnist.js';
export { loadCifar10, parseCifar10Batch, CIFAR10_CLASSES, type ColourImages } from './cifar10.js';
export { loadOmniglot, decodeDrawing, type OmniglotCharacter, type OmniglotSplit } from './omniglot.js';
