export type { Task, Problem, TaskFamily, LandscapeView } from './types.js';
export { familyOf } from './types.js';
export { LANDSCAPES, landscapeTask, landscapeStart, type Landscape } from './landscapes.js';
export { randomQuadraticTask } from './randomQuadratic.js';
export { taskFromSpec, TASK_KINDS, type TaskSpec } from './registry.js';
export { gradientNoise } from './noise.js';
export { mnistMlpTask, type MnistMlpOptions } from './mnistMlp.js';
