import yauzl from 'yauzl';
export default yauzl;
