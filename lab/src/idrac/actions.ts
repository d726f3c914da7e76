import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { parsePackageFileName } from '../world/firmware';
import { PowerStateConflictError, RESET_TYPES, resetHost, resetIdrac } from '../world/host-lifecycle';
import {
  IdracJobError,
  createExportJob,
  createUpdateJob,
  deleteJobs,
  recordRebootJob,
  startUpdate,
} from '../world/idrac-jobs';
import type { HostState } from '../world/types';
import type { World } from '../world/world';
import { createImportJob } from '../world/scp-import';
import { checkCredentials, createSession } from './auth';
import { downloadImage } from './image-download';
import { DELL_JOBS, MANAGER_JOBS, TASKS } from './jobs-view';
import { redfishError, redfishSuccess } from './redfish-errors';
import { MANAGER, SESSIONS, SYSTEM, VIRTUAL_MEDIA, remoteServicesStatus, sessionView } from './render';
import { parseMultipart, readBody } from '../http/io';

/** What an action answers: status, JSON body (or none), extra headers. */
export interface ActionResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ActionContext {
  world: World;
  host: HostState;
  req: IncomingMessage;
  path: string;
  /** The lab certificate, to trust lab HTTPS servers when fetching images. */
  ca: string;
}

const bad = (messageId: string, message: string, status = 400): ActionResult => ({
  status,
  body: redfishError(messageId, message),
});

async function jsonBody<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
): Promise<z.infer<S> | ActionResult> {
  const buf = await readBody(req);
  let raw: unknown = {};
  if (buf.length) {
    try {
      raw = JSON.parse(buf.toString('utf8'));
    } catch {
      return bad(
        'Base.1.12.MalformedJSON',
        'The request body submitted was malformed JSON and could not be parsed.',
      );
    }
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return bad(
      'Base.1.12.PropertyValueNotInList',
      `The value for the property ${issue?.path.join('.') || '(body)'} is not valid: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return r.data;
}

const isResult = (x: unknown): x is ActionResult =>
  typeof x === 'object' && x !== null && 'status' in x && typeof (x as ActionResult).status === 'number';

const SessionBody = z.object({ UserName: z.string(), Password: z.string() });
const ApplyTime = z.enum(['Immediate', 'OnReset', 'OnStartUpdateRequest']).default('Immediate');
const SimpleUpdateBody = z.object({
  ImageURI: z.string().min(1),
  TransferProtocol: z.string().optional(),
  '@Redfish.OperationApplyTime': ApplyTime,
});
const UpdateParameters = z.object({
  Targets: z.array(z.string()).default([]),
  '@Redfish.OperationApplyTime': ApplyTime,
  Oem: z.record(z.string(), z.unknown()).optional(),
});
const ResetBody = z.object({ ResetType: z.enum(RESET_TYPES) });
const DeleteJobQueueBody = z.object({ JobID: z.string().min(1) });
const ExportBody = z.object({
  ExportFormat: z.enum(['JSON', 'XML']).default('XML'),
  ExportUse: z.string().optional(),
  IncludeInExport: z.union([z.string(), z.array(z.string())]).optional(),
  ShareParameters: z
    .object({ Target: z.union([z.string(), z.array(z.string())]).default('ALL') })
    .passthrough()
    .default({ Target: 'ALL' }),
});
const ImportBody = z.object({
  ImportBuffer: z.string().min(1),
  ShutdownType: z.enum(['Graceful', 'Forced', 'NoReboot']).default('Graceful'),
  HostPowerState: z.enum(['On', 'Off']).optional(),
  ShareParameters: z
    .object({ Target: z.union([z.string(), z.array(z.string())]).default('ALL') })
    .passthrough()
    .default({ Target: 'ALL' }),
});
const InsertBody = z.object({
  Image: z.string().regex(/^(https?|nfs|cifs):\/\//i, 'an http(s), nfs or cifs URL'),
  Inserted: z.boolean().default(true),
  WriteProtected: z.boolean().default(true),
  /** The share's login, in the action's own fields (Redfish VirtualMedia.InsertMedia). */
  UserName: z.string().optional(),
  Password: z.string().optional(),
});

function taskAccepted(jobId: string): ActionResult {
  return {
    status: 202,
    headers: { Location: `${TASKS}/${jobId}` },
    body: redfishSuccess('Base.1.12.Success', 'Successfully Completed Request'),
  };
}

function jobError(e: unknown): ActionResult {
  if (e instanceof IdracJobError) return { status: e.httpStatus, body: redfishError(e.messageId, e.message) };
  throw e;
}

/** POST `path`. Undefined = no such action (405/404 decided by the caller). */
export async function runPost(ctx: ActionContext): Promise<ActionResult | undefined> {
  const { world, host, req, path } = ctx;
  switch (path) {
    case SESSIONS: {
      const b = await jsonBody(req, SessionBody);
      if (isResult(b)) return b;
      if (!checkCredentials(world, b.UserName, b.Password)) {
        return {
          status: 401,
          body: redfishError(
            'IDRAC.2.8.SYS415',
            'Unable to complete the operation because of invalid credentials.',
            {
              code: 'Base.1.12.GeneralError',
              severity: 'Critical',
            },
          ),
        };
      }
      const s = createSession(world, host, b.UserName);
      if (!s) {
        return bad(
          'IDRAC.2.8.RAC0218',
          'The maximum number of user sessions is reached. Close an existing session and retry.',
          400,
        );
      }
      return {
        status: 201,
        headers: { 'X-Auth-Token': s.token, Location: `${SESSIONS}/${s.id}` },
        body: sessionView(world, s.id, s.username),
      };
    }
    case '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate': {
      const b = await jsonBody(req, SimpleUpdateBody);
      if (isResult(b)) return b;
      const pkg = parsePackageFileName(b.ImageURI);
      if (!pkg) return bad('IDRAC.2.8.SUP0523', `Unable to identify the update package ${b.ImageURI}.`);
      try {
        const job = createUpdateJob(world, host.id, {
          ...pkg,
          applyTime: b['@Redfish.OperationApplyTime'],
          imageUri: b.ImageURI,
          download: () => downloadImage(b.ImageURI, ctx.ca).then(() => undefined),
        });
        world.tallies.upload(host.id, pkg.packageKey);
        return taskAccepted(job.id);
      } catch (e) {
        return jobError(e);
      }
    }
    case '/redfish/v1/UpdateService/MultipartUpload': {
      const ct = req.headers['content-type'] ?? '';
      if (!ct.toLowerCase().startsWith('multipart/form-data')) {
        return bad('Base.1.12.UnsupportedMediaType', 'MultipartUpload requires multipart/form-data.', 415);
      }
      let parts: ReturnType<typeof parseMultipart>;
      try {
        parts = parseMultipart(await readBody(req), ct);
      } catch (e) {
        return bad('Base.1.12.MalformedJSON', `Malformed multipart body: ${(e as Error).message}`);
      }
      const paramsPart = parts.find((p) => p.name === 'UpdateParameters');
      const filePart = parts.find((p) => p.name === 'UpdateFile');
      if (!filePart?.filename)
        return bad('Base.1.12.PropertyMissing', 'The property UpdateFile is a required property.');
      let params: z.infer<typeof UpdateParameters>;
      try {
        params = UpdateParameters.parse(paramsPart ? JSON.parse(paramsPart.data.toString('utf8')) : {});
      } catch {
        return bad('Base.1.12.PropertyValueFormatError', 'The UpdateParameters part is not valid.');
      }
      const pkg = parsePackageFileName(filePart.filename);
      if (!pkg || filePart.data.length === 0) {
        return bad('IDRAC.2.8.SUP0523', `Unable to identify the update package ${filePart.filename}.`);
      }
      try {
        const job = createUpdateJob(world, host.id, {
          ...pkg,
          applyTime: params['@Redfish.OperationApplyTime'],
          // The package was pushed with the request: nothing left to fetch.
          download: () => Promise.resolve(),
        });
        world.tallies.upload(host.id, pkg.packageKey);
        return taskAccepted(job.id);
      } catch (e) {
        return jobError(e);
      }
    }
    case '/redfish/v1/UpdateService/Actions/UpdateService.StartUpdate': {
      await readBody(req);
      startUpdate(world, host.id);
      return { status: 204 };
    }
    case `${SYSTEM}/Actions/ComputerSystem.Reset`: {
      const b = await jsonBody(req, ResetBody);
      if (isResult(b)) return b;
      try {
        resetHost(world, host.id, b.ResetType);
        if (/Restart$|^PowerCycle$/.test(b.ResetType)) {
          world.tallies.reboot(host.id);
          recordRebootJob(world, host.id);
        }
        return { status: 204 };
      } catch (e) {
        if (e instanceof PowerStateConflictError) return bad('IDRAC.2.8.RAC0508', e.message, 409);
        throw e;
      }
    }
    case `${MANAGER}/Actions/Manager.Reset`: {
      const b = await jsonBody(req, z.object({ ResetType: z.enum(['GracefulRestart']) }));
      if (isResult(b)) return b;
      // Answer first: the connection goes away with the iDRAC.
      world.clock.after(2_000, () => resetIdrac(world, host.id));
      return { status: 204 };
    }
    case `${MANAGER}/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus`:
      await readBody(req);
      return { status: 200, body: remoteServicesStatus(world, host) };
    case `${MANAGER}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`: {
      const b = await jsonBody(req, DeleteJobQueueBody);
      if (isResult(b)) return b;
      try {
        deleteJobs(world, host.id, b.JobID);
        return { status: 200, body: redfishSuccess('IDRAC.2.8.SUP020', 'Successfully deleted the job(s).') };
      } catch (e) {
        return jobError(e);
      }
    }
    case `${MANAGER}/Actions/Oem/EID_674_Manager.ExportSystemConfiguration`: {
      const b = await jsonBody(req, ExportBody);
      if (isResult(b)) return b;
      const t = b.ShareParameters.Target;
      const target = (Array.isArray(t) ? t[0] : t) ?? 'ALL';
      try {
        const job = createExportJob(world, host.id, {
          format: b.ExportFormat,
          target: target.split(',')[0]!.trim(),
        });
        return taskAccepted(job.id);
      } catch (e) {
        return jobError(e);
      }
    }
    case `${MANAGER}/Actions/Oem/EID_674_Manager.ImportSystemConfiguration`: {
      const b = await jsonBody(req, ImportBody);
      if (isResult(b)) return b;
      const t = b.ShareParameters.Target;
      const target = (Array.isArray(t) ? t[0] : t) ?? 'ALL';
      try {
        const job = createImportJob(world, host.id, {
          buffer: b.ImportBuffer,
          shutdownType: b.ShutdownType,
          target: target.split(',')[0]!.trim(),
        });
        return taskAccepted(job.id);
      } catch (e) {
        return jobError(e);
      }
    }
  }
  const vm = new RegExp(
    `^${VIRTUAL_MEDIA}/(CD|RemovableDisk)/Actions/VirtualMedia\\.(InsertMedia|EjectMedia)$`,
  ).exec(path);
  if (vm) {
    const slot = host.virtualMedia[vm[1] as 'CD' | 'RemovableDisk'];
    if (vm[2] === 'InsertMedia') {
      const b = await jsonBody(req, InsertBody);
      if (isResult(b)) return b;
      if (slot.inserted) return bad('IDRAC.2.8.VRM0012', 'Virtual Media is already connected.', 409);
      Object.assign(slot, {
        image: b.Image,
        inserted: b.Inserted,
        writeProtected: b.WriteProtected,
        connectedVia: 'URI',
        userName: b.UserName,
      });
      return { status: 204 };
    }
    await readBody(req);
    if (!slot.inserted)
      return bad('IDRAC.2.8.VRM0009', 'No Virtual Media devices are currently connected.', 400);
    Object.assign(slot, {
      image: undefined,
      inserted: false,
      writeProtected: true,
      connectedVia: 'NotConnected',
      userName: undefined,
    });
    return { status: 204 };
  }
  return undefined;
}

/** DELETE a session or a job. */
export async function runDelete(ctx: ActionContext): Promise<ActionResult | undefined> {
  const { world, host, path } = ctx;
  await readBody(ctx.req);
  if (path.startsWith(`${SESSIONS}/`)) {
    const id = path.slice(SESSIONS.length + 1);
    if (!host.sessions.delete(id)) return undefined;
    return { status: 200, body: redfishSuccess() };
  }
  const m = new RegExp(`^(?:${MANAGER_JOBS}|${DELL_JOBS})/([^/]+)$`).exec(path);
  if (m) {
    if (!host.jobs.has(m[1]!)) return undefined;
    try {
      deleteJobs(world, host.id, m[1]!);
      return { status: 200, body: redfishSuccess('IDRAC.2.8.SUP020', 'Successfully deleted the job(s).') };
    } catch (e) {
      return jobError(e);
    }
  }
  return undefined;
}
