/** The learned-optimizer kinds that ship: importing a kind's file registers it (registerLearnedOptimizer at its end). One line per kind. */
import './lrSchedule.js';
import './lstm/lstmOptimizer.js';
import './policy/coordinatePolicy.js';
import './dqn/dqnController.js';
import './actorCritic/actorCritic.js';
