// Browsers' and bundlers' build of a '#cjs/…' import: the package's own ES modules.
import yauzl from 'yauzl';
export default yauzl;
