export { smallLab } from '../../src/testing/small-lab';
