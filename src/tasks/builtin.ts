/** The task kinds that ship: importing a kind's file registers it (registerTaskKind at its end). One line per kind. */
import './landscapes.js';
import './randomQuadratic.js';
import './logisticRegression.js';
import './robustLinearRegression.js';
import './twoLayerNet.js';
import './mnistMlp.js';
import './imageClassifier.js';
import './omniglotFewShot.js';
