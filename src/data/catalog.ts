/**
 * The datasets AlphaOpt reads, in their standard formats: which files make a
 * complete copy on disk, and where the canonical copies can be downloaded with
 * their published MD5 checksums (the ones torchvision and the dataset pages list).
 */

export interface RemoteFile {
  /** Name of the downloaded file inside the dataset folder. */
  file: string;
  /** Tried in order. */
  urls: string[];
  md5: string;
}

export interface DatasetEntry {
  name: string;
  description: string;
  /**
   * What a complete copy holds, relative to `<data dir>/<name>/`. Each requirement
   * lists alternatives (e.g. the .gz or the unpacked file); one of them must exist.
   */
  requires: string[][];
  /** Downloads that produce the required files (absent: the dataset cannot be downloaded). */
  remote?: RemoteFile[];
  /** After downloading: unpack an archive into the required files. */
  unpack?: 'cifar10-tar';
  /** What to tell a user who has none of it. */
  howToGet: string;
}

const idxFiles = (prefix: string) => ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map((stem) => [`${prefix}${stem}.gz`, `${prefix}${stem}`]);

const MNIST_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
  'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
  't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
  't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
};

const FASHION_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
};

const remoteFiles = (md5: Record<string, string>, prefixes: string[]): RemoteFile[] =>
  Object.entries(md5).map(([file, sum]) => ({ file, urls: prefixes.map((p) => `${p}${file}`), md5: sum }));

export const CIFAR10_BATCHES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

export const CATALOG: Record<string, DatasetEntry> = {
  mnist: {
    name: 'mnist',
    description: 'MNIST handwritten digits, 60,000 train + 10,000 test, IDX',
    requires: idxFiles(''),
    remote: remoteFiles(MNIST_MD5, ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/']),
    howToGet: 'the four IDX files from http://yann.lecun.com/exdb/mnist/ (or `alphaopt data fetch mnist` when online)',
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    description: 'Fashion-MNIST, 60,000 train + 10,000 test, IDX',
    requires: idxFiles(''),
    remote: remoteFiles(FASHION_MD5, ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']),
    howToGet: 'the four IDX files from github.com/zalandoresearch/fashion-mnist (Debian: `apt-get install dataset-fashion-mnist`, files in /usr/share/datasets/fashion-mnist/), or `alphaopt data fetch fashion-mnist` when online',
  },
  'mnist-10k': {
    name: 'mnist-10k',
    description: 'a pool of 10,000 MNIST digits (split 8,000 train / 2,000 test), IDX',
    requires: [
      ['images-idx3-ubyte.gz', 'images-idx3-ubyte'],
      ['labels-idx1-ubyte.gz', 'labels-idx1-ubyte'],
    ],
    howToGet: "a pool prepared for AlphaOpt's workplace (../shared/datasets/mnist-10k); elsewhere use the full 'mnist'",
  },
  'cifar-10': {
    name: 'cifar-10',
    description: 'CIFAR-10 binary version: 50,000 train + 10,000 test colour images 32×32',
    requires: CIFAR10_BATCHES.map((f) => [`cifar-10-batches-bin/${f}`]),
    remote: [{ file: 'cifar-10-binary.tar.gz', urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'], md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    unpack: 'cifar10-tar',
    howToGet: 'cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, unpacked (it holds cifar-10-batches-bin/), or `alphaopt data fetch cifar-10` when online',
  },
  omniglot: {
    name: 'omniglot',
    description: 'Omniglot: 1,623 characters of 50 alphabets, 20 drawings each, 105×105 PNG (background 30 alphabets, evaluation 20)',
    requires: [
      ['images_background.zip', 'images_background'],
      ['images_evaluation.zip', 'images_evaluation'],
    ],
    remote: [
      { file: 'images_background.zip', urls: ['https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background.zip'], md5: '68d2efa1b9178cc56df9314c21c6e718' },
      { file: 'images_evaluation.zip', urls: ['https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_evaluation.zip'], md5: '6b91aef0f799c5bb55b94e3f2daec811' },
    ],
    howToGet: 'images_background.zip and images_evaluation.zip from github.com/brendenlake/omniglot (python/), zipped or unpacked, or `alphaopt data fetch omniglot` when online',
  },
};

export function datasetEntry(name: string): DatasetEntry {
  const entry = CATALOG[name];
  if (entry === undefined) throw new Error(`unknown dataset '${name}'; known: ${Object.keys(CATALOG).join(', ')}`);
  return entry;
}
