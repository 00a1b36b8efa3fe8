export * from './names.js';
export { setupBackend, attemptBackend, AUTO_ORDER, type SetupOptions } from './setup.js';
export { loadTensorflow, TENSORFLOW_PACKAGES, TENSORFLOW_INSTALL_HINT, type ModuleLoader, type TensorflowDetection } from './tensorflow.js';
export { probeWebgpu, isSoftwareAdapter, describeAdapter, type AdapterDescription } from './webgpu.js';
export { registerWasmTrainingKernels, ADDED_WASM_KERNELS, REPLACED_WASM_KERNELS } from './wasm/registerTrainingKernels.js';
export { reportBackends, formatBackendTable, measureCnnStep, type BackendRow } from './report.js';
export { registerMissingGradients } from './gradients.js';
export { memoryBudget, memoryUsage, type MemoryBudget, type MemoryUsage } from './memory.js';
export { WASM_HEAP_BYTES, WasmHeapExhausted, guardWasmHeap, restartWasmBackend, wasmHeapBytes } from './wasm/heap.js';
