export { PNG } from 'pngjs';
