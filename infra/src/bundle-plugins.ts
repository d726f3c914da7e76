import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { Plugin } from 'esbuild';
import { lazyBarrels } from './lazy-barrels';

/**
 * esbuild plugins that keep code the Lambdas never run out of their bundles. Each one replaces a module with a
 * small stand-in or a copy already in the bundle; none changes what our code does. The bundle bench imports every
 * bundle in a fresh `node` and the bot's tests run the same entry points, so a stand-in that is reached shows up.
 */

const STAND_IN_NAMESPACE = 'rackops-stand-in';

/** A CommonJS module whose every export throws when called: for code paths the bot never takes. */
function throwingModule(what: string, extra = ''): string {
  return `const fail = (name) => function () { throw new Error(${JSON.stringify(what)} + ': ' + name + ' is not bundled (see infra/src/bundle-plugins.ts)'); };
${extra}
module.exports = new Proxy(module.exports, { get: (t, k) => (k in t ? t[k] : typeof k === 'string' && k !== '__esModule' && k !== 'then' ? fail(k) : undefined) });`;
}

/**
 * `@azure/msal-node` as botframework-connector's MsalAppCredentials uses it: `new ConfidentialClientApplication({
 * auth: { authority, clientId, clientSecret } })`, then `acquireTokenByClientCredential({ scopes, skipCache })`
 * for `{ accessToken, expiresOn: Date }`. The token endpoint is the Microsoft identity platform's
 * `<authority>/oauth2/v2.0/token` (the one MSAL discovers for login.microsoftonline.com authorities).
 */
const MSAL_CLIENT_SECRET_ONLY = `class ConfidentialClientApplication {
  constructor(config) { this.auth = (config && config.auth) || {}; }
  async acquireTokenByClientCredential(request) {
    const { authority, clientId, clientSecret, clientCertificate } = this.auth;
    if (clientCertificate || !clientSecret) throw new Error('only app id + secret credentials are bundled (see infra/src/bundle-plugins.ts)');
    const url = String(authority).replace(/\\/+$/, '') + '/oauth2/v2.0/token';
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: request.scopes.join(' ') });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(10000) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok || typeof json.access_token !== 'string')
      throw new Error('Bot Connector token from ' + url + ': HTTP ' + res.status + ' ' + (json.error || '') + ' ' + (json.error_description || ''));
    return { accessToken: json.access_token, tokenType: json.token_type, expiresOn: new Date(Date.now() + Number(json.expires_in || 0) * 1000) };
  }
}
module.exports = { ConfidentialClientApplication };`;

/** A module the bundle gets in place of another, when imported from a file matching `importer`. */
export interface StandIn {
  /** The import path as written in the importing file. */
  readonly request: string;
  /** The importing file (path relative to node_modules, `/`-separated) must match this. */
  readonly importer: RegExp;
  /** Why the real module is never needed: the comment the next reader looks for. */
  readonly why: string;
  readonly contents: string;
  /** Resolve the stand-in's own imports from the importing file's directory (for stand-ins that import). */
  readonly resolvesImports?: boolean;
}

/**
 * What the bot bundle leaves out. Each is code botbuilder or teams-ai loads at the top of a file but only runs for
 * features the bot does not use; the throwing stand-ins name themselves if that ever changes.
 */
export const BOT_STAND_INS: readonly StandIn[] = [
  ...['./AI', './moderators', './authentication/Authentication'].map((request) => ({
    request,
    importer: /@microsoft\/teams-ai\/lib\/Application\.js$/,
    why: 'the AI planner (tokenizers, OpenAI client, prompts) and user sign-in (MSAL, botbuilder-dialogs) are built only when `ai`/`authentication` options are given; the bot passes neither',
    contents: throwingModule(`teams-ai ${request}`),
  })),
  {
    request: './authentication/BotAuthenticationBase',
    importer: /@microsoft\/teams-ai\/lib\/Application\.js$/,
    why: 'Application asks userInSignInFlow(state) every turn; with no authentication configured nothing puts a user in a sign-in flow',
    contents: throwingModule(
      'teams-ai BotAuthenticationBase',
      'module.exports.userInSignInFlow = () => undefined;',
    ),
  },
  {
    request: 'whatwg-url',
    importer: /node-fetch\/lib\/index\.(mjs|js)$/,
    why: "node-fetch takes Node's own URL first (`Url.URL || whatwgUrl.URL`); the polyfill and its 260 KiB of Unicode tables never run",
    contents: 'module.exports = { URL: globalThis.URL };',
  },
  {
    request: '@azure/identity',
    importer: /botframework-connector\/lib\/auth\/jwtTokenProviderFactory\.js$/,
    why: 'Azure managed identity (MicrosoftAppType UserAssignedMSI) exists only on Azure; the Lambda bot authenticates with an app id and secret',
    contents: throwingModule('@azure/identity (Azure managed identity)'),
  },
  {
    request: 'htmlparser2',
    importer: /botbuilder\/lib\/setSpeakMiddleware\.js$/,
    why: 'SetSpeakMiddleware (SSML for voice channels) is never added to the adapter',
    contents: throwingModule('htmlparser2 (SetSpeakMiddleware)'),
  },
  {
    request: 'fs-extra',
    importer: /botbuilder\/lib\/fileTranscriptStore\.js$/,
    why: 'FileTranscriptStore writes transcripts to local disk; the bot keeps no transcripts',
    contents: throwingModule('fs-extra (FileTranscriptStore)'),
  },
  ...[
    /botframework-connector\/lib\/auth\/botFrameworkClientImpl\.js$/,
    /botbuilder\/lib\/botFrameworkHttpClient\.js$/,
  ].map((importer) => ({
    request: 'axios',
    importer,
    why: 'axios serves the skill clients only (bot-to-bot calls, built by createBotFrameworkClient); the bot calls no skill, and the Bot Connector client uses @azure/core-rest-pipeline',
    contents: throwingModule('axios (skill client)'),
  })),
  {
    request: '@azure/msal-node',
    importer: /botframework-connector\/lib\/auth\/msalAppCredentials\.js$/,
    why: "the bot's app id and secret get their Bot Connector token by the OAuth 2.0 client credentials grant, one POST to the authority's v2.0 token endpoint; MSAL (≈ 190 KiB) adds caches (MsalAppCredentials asks with skipCache, AppCredentials caches) and the certificate, managed identity and user flows the bot does not use",
    contents: MSAL_CLIENT_SECRET_ONLY,
  },
  ...[
    /botframework-connector\/lib\/auth\/certificateAppCredentials\.js$/,
    /botframework-connector\/lib\/auth\/federatedAppCredentials\.js$/,
  ].map((importer) => ({
    request: '@azure/msal-node',
    importer,
    why: 'certificate and federated (managed identity) app credentials: the bot secret holds an app password',
    contents: throwingModule('@azure/msal-node (certificate or federated credentials)'),
  })),
  {
    request: 'botframework-streaming',
    importer: /botbuilder\/lib\/(cloudAdapter|botFrameworkAdapter|streaming\/streamingHttpClient)\.js$/,
    why: 'Bot Framework streaming (named pipes, websockets; a GET with an upgrade) serves App Service; the Lambda answers POSTs only (the handler refuses other methods with 405)',
    contents: throwingModule('botframework-streaming'),
  },
  ...[/entities\/lib\/esm\/decode\.js$/, /entities\/lib\/decode\.js$/].map((importer) => ({
    request: './generated/decode-data-html.js',
    importer,
    why: "the catalog reader's tokenizer decodes XML (xmlMode: true, the XML entity table); the HTML entity table (≈ 46 KiB) is never read",
    contents: `export default new Proxy(new Uint16Array(0), { get(t, k) { if (typeof k === 'symbol') return Reflect.get(t, k); throw new Error('entities: the HTML entity table is not bundled (see infra/src/bundle-plugins.ts)'); } });`,
  })),
  ...(
    [
      ['./fileTranscriptStore', 'transcripts on local disk'],
      ['./inspectionMiddleware', 'the Emulator inspection protocol'],
      ['./channelServiceRoutes', 'routes of a skill host (restify/express)'],
      ['./sharepoint/sharePointActivityHandler', 'SharePoint (Viva) adaptive card extensions'],
      ['./sharepoint/sharePointSSOTokenExchangeMiddleware', 'SharePoint single sign-on'],
      ['./eventFactory', 'handoff events (and dayjs with its time zone plugin)'],
    ] as const
  ).map(([request, what]) => ({
    request,
    importer: /botbuilder\/lib\/index\.js$/,
    why: `botbuilder's index loads ${what}; the bot uses none of it (its code reaches botbuilder's exports by name only)`,
    contents: throwingModule(`botbuilder ${request}`),
  })),
  ...(
    [
      ['./testAdapter', 'the test adapter (the bot tests use the unbundled copy)'],
      ['./telemetryLoggerMiddleware', 'Application Insights telemetry logging'],
    ] as const
  ).map(([request, what]) => ({
    request,
    importer: /botbuilder-core\/lib\/index\.js$/,
    why: `botbuilder-core's index loads ${what}; never added to the Lambda's adapter`,
    contents: throwingModule(`botbuilder-core ${request}`),
  })),
  {
    request: 'ws',
    importer: /botframework-streaming\/lib\/webSocket\/nodeWebSocket\.js$/,
    why: 'Bot Framework streaming over a websocket serves App Service Environments; the Lambda answers plain HTTPS',
    contents: throwingModule('ws (botframework-streaming)'),
  },
];

/**
 * What every Lambda bundle leaves out of the AWS SDK. The SDK's default credential chain (env, SSO, ini files,
 * credential processes, web identity, container and instance metadata) brings the STS/SSO clients of
 * `@aws-sdk/nested-clients` and IMDS code (~110 KiB) into each bundle. Lambda hands the execution role's
 * credentials to the function in its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * the first link of that chain, and no other link is ever reached there; the local runtime does not bundle.
 */
export const AWS_SDK_STAND_INS: readonly StandIn[] = [
  {
    request: '@aws-sdk/credential-provider-node',
    importer: /@aws-sdk\/client-[a-z0-9-]+\/dist-(es|cjs)\/runtimeConfig\.js$/,
    why: "Lambda gives the execution role's credentials in the environment, the first link of the default chain",
    resolvesImports: true,
    contents: `import { fromEnv } from '@aws-sdk/credential-provider-env';
export const defaultProvider = (init = {}) => {
  const env = fromEnv(init);
  return async () => {
    try {
      return await env();
    } catch (error) {
      throw new Error('RackOps Lambda bundles take AWS credentials from the environment only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as Lambda sets them: ' + (error instanceof Error ? error.message : String(error)));
    }
  };
};`,
  },
];

/** Replaces the imports `standIns` names with their stand-in contents. */
export function standInModules(standIns: readonly StandIn[]): Plugin {
  const requests = [...new Set(standIns.map((s) => s.request))];
  const filter = new RegExp(
    `^(${requests.map((r) => r.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`,
  );
  return {
    name: 'stand-in-modules',
    setup(build) {
      build.onResolve({ filter }, (args) => {
        const importer = args.importer.split(sep).join('/');
        const standIn = standIns.find((s) => s.request === args.path && s.importer.test(importer));
        if (!standIn) return undefined;
        return {
          path: `${args.path} (imported by ${importer})`,
          namespace: STAND_IN_NAMESPACE,
          pluginData: { ...standIn, importerDir: dirname(args.importer) },
        };
      });
      build.onLoad({ filter: /.*/, namespace: STAND_IN_NAMESPACE }, (args) => {
        const standIn = args.pluginData as StandIn & { importerDir: string };
        return {
          contents: `// stand-in: ${standIn.why}\n${standIn.contents}`,
          loader: 'js',
          ...(standIn.resolvesImports ? { resolveDir: standIn.importerDir } : {}),
        };
      });
    },
  };
}

/** The package directory (the one holding package.json) of a resolved file inside node_modules/<pkg>/. */
function packageDir(file: string, pkg: string): string | undefined {
  const marker = `${sep}node_modules${sep}${pkg.split('/').join(sep)}${sep}`;
  const at = file.lastIndexOf(marker);
  return at < 0 ? undefined : file.slice(0, at + marker.length - 1);
}

/** The installed copies of `pkg` at the root and one workspace level down (where npm nests them), by version. */
function installedCopies(root: string, pkg: string): Map<string, string> {
  const dirs = [join(root, 'node_modules', pkg)];
  for (const entry of readdirSync(root, { withFileTypes: true }))
    if (entry.isDirectory() && entry.name !== 'node_modules')
      dirs.push(join(root, entry.name, 'node_modules', pkg));
  const canonical = new Map<string, string>(); // version -> first directory in sorted order
  for (const dir of dirs.sort()) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    if (!canonical.has(version)) canonical.set(version, dir);
  }
  return canonical;
}

/**
 * One copy of each version of `packages`: npm nests an identical zod 4 in every workspace (core, bot, lambdas),
 * and a bundle would otherwise carry each (~460 KiB apiece). Every import is resolved as usual, then redirected to
 * the same file in the canonical copy of that version (the first directory in sorted order, so the bundle is the
 * same on every build); a copy of another version (zod 3 for botbuilder) stays its own.
 */
export function oneCopyPerVersion(packages: readonly string[]): Plugin {
  return {
    name: 'one-copy-per-version',
    setup(build) {
      const root = build.initialOptions.absWorkingDir ?? process.cwd();
      for (const pkg of packages) {
        const canonical = installedCopies(root, pkg);
        const versionOf = new Map<string, string | undefined>(); // package dir -> version
        const escaped = pkg.replace(/[/.]/g, (c) => `\\${c}`);
        build.onResolve({ filter: new RegExp(`^${escaped}(/.*)?$`) }, async (args) => {
          if (args.pluginData === 'one-copy') return undefined;
          const resolved = await build.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            importer: args.importer,
            pluginData: 'one-copy',
          });
          const dir = resolved.errors.length > 0 ? undefined : packageDir(resolved.path, pkg);
          if (!dir) return undefined;
          if (!versionOf.has(dir)) {
            const manifest = join(dir, 'package.json');
            versionOf.set(
              dir,
              existsSync(manifest)
                ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
                : undefined,
            );
          }
          const version = versionOf.get(dir);
          const target = version === undefined ? undefined : canonical.get(version);
          if (!target || target === dir) return resolved;
          return { ...resolved, path: target + resolved.path.slice(dir.length) };
        });
      }
    },
  };
}

/**
 * zod 4's `z` namespace re-exports every locale (`z.locales`, ~40 languages), and because our code uses `z` as a
 * value esbuild must keep them all. Our error messages are English (zod's default, set by `config(en())`), so
 * the locales index is replaced by one that holds English only.
 */
export function englishOnlyZodLocales(): Plugin {
  return {
    name: 'english-only-zod-locales',
    setup(build) {
      build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => {
        if (packageDir(args.importer, 'zod') === undefined) return undefined;
        return { path: join(args.resolveDir, args.path), namespace: 'rackops-zod-locales' };
      });
      build.onLoad({ filter: /.*/, namespace: 'rackops-zod-locales' }, (args) => ({
        contents: "export { default as en } from './en.js';",
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * The catalog reader takes only htmlparser2's Tokenizer, but the package's index also loads its DOM helpers and
 * through them dom-serializer with the HTML encoding tables (≈ 25 KiB) that esbuild keeps for their top-level
 * Maps. The index is replaced, for that importer, by one that re-exports the Tokenizer from the same copy.
 */
export function htmlparser2TokenizerOnly(importer: RegExp): Plugin {
  return {
    name: 'htmlparser2-tokenizer-only',
    setup(build) {
      build.onResolve({ filter: /^htmlparser2$/ }, async (args) => {
        if (args.pluginData === 'tokenizer-only' || !importer.test(args.importer.split(sep).join('/')))
          return undefined;
        const index = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'tokenizer-only',
        });
        if (index.errors.length > 0) return undefined;
        return { path: index.path, namespace: 'rackops-htmlparser2-tokenizer' };
      });
      build.onLoad({ filter: /.*/, namespace: 'rackops-htmlparser2-tokenizer' }, (args) => ({
        contents: "export { default as Tokenizer } from './Tokenizer.js';",
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * Node's built-in modules, where an ES module of the bundle imports one, are taken with `require` (the banner's):
 * an `import` of a built-in makes Node build its ES module facade, which reads every export once — and reading
 * `node:http`'s exports loads undici (its WebSocket, fetch and dispatcher code) on Node 22: ≈ 20 ms in a profile
 * of the bot's cold import, 10–15 ms of it A/B, for code it never runs. `require` returns the same module object without the facade; a named
 * import becomes a property read on it.
 */
export function builtinsThroughRequire(): Plugin {
  return {
    name: 'builtins-through-require',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        if (args.kind !== 'import-statement' || !isBuiltin(args.path)) return undefined;
        return { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'rackops-builtin' };
      });
      build.onLoad({ filter: /.*/, namespace: 'rackops-builtin' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/** The barrels of botbuilder's packages a bundle loads lazily (lazy-barrels.ts). */
export const BOT_BARRELS =
  /[\\/]node_modules[\\/](botbuilder|botbuilder-core|botframework-connector)[\\/]lib[\\/]((auth|teams|skills)[\\/])?index\.js$/;

/** Every plugin a Lambda bundle is built with (the bench and the CDK stack use this list). */
export function lambdaBundlePlugins(): Plugin[] {
  return [
    standInModules([...BOT_STAND_INS, ...AWS_SDK_STAND_INS]),
    oneCopyPerVersion(['zod']),
    englishOnlyZodLocales(),
    htmlparser2TokenizerOnly(/core\/src\/catalog\/catalog-sax\.ts$/),
    lazyBarrels(BOT_BARRELS),
    builtinsThroughRequire(),
  ];
}
