// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
import '../../src/polyfills';
// npm start prints one line about the Node version (local/src/node-support.ts); tests need not print the SDK's.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
