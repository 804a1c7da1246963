// A client of the Kubernetes Container Runtime Interface: what the kubelet
// says to containerd's CRI plugin (or CRI-O) over a unix socket, as gRPC.
// It speaks the runtime.v1 subset in runtime.proto and turns every failure
// into a PausekitError that names the socket and says what was wrong there:
// no socket, something that is not a CRI runtime, a missing image.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Grpc from '@grpc/grpc-js';
import { PausekitError } from '../errors.ts';

export const RUNTIME_PROTO = fileURLToPath(new URL('./runtime.proto', import.meta.url));

/** The CRI version this client asks for (the package of runtime.proto). */
export const CRI_API_VERSION = 'v1';

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  linux?: { cgroupParent?: string; securityContext?: { namespaceOptions?: NamespaceOption } };
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: { image: string };
  command?: string[];
  /** Relative to the pod's logDirectory. */
  logPath?: string;
  linux?: { securityContext?: { namespaceOptions?: NamespaceOption } };
}

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface PodSandboxStatus {
  id: string;
  state: PodSandboxState;
  network: { ip: string } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
}

export interface PodSandbox {
  id: string;
  state: PodSandboxState;
}

export interface Container {
  id: string;
  podSandboxId: string;
  state: ContainerState;
}

export interface ContainerStatus {
  id: string;
  state: ContainerState;
  exitCode: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Image {
  id: string;
  repoTags: string[];
  /** Bytes, as a decimal string (uint64). */
  size: string;
}

export interface ClientOptions {
  /** Deadline of each call, in milliseconds (default 60 s). */
  timeoutMs?: number;
}

type Unary = (request: object, options: Grpc.CallOptions, callback: (error: Grpc.ServiceError | null, response: unknown) => void) => void;

/** The npm packages the client speaks gRPC with: not dependencies of pausekit, loaded when a client is made. */
export const GRPC_PACKAGES = ['@grpc/grpc-js', '@grpc/proto-loader'] as const;

/** gRPC and the generated service constructors, once loaded. */
let grpc: typeof Grpc;
let services: { RuntimeService: Grpc.ServiceClientConstructor; ImageService: Grpc.ServiceClientConstructor } | undefined;

/**
 * Loads gRPC and the services of runtime.proto, once. The packages are
 * imported here, not at the top, so that pausekit runs without them; when
 * they are missing, the error says in one line what to install.
 */
export async function loadServices(): Promise<NonNullable<typeof services>> {
  if (services !== undefined) return services;
  let protoLoader: typeof import('@grpc/proto-loader');
  try {
    [grpc, protoLoader] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new PausekitError(`the CRI client needs the npm packages ${GRPC_PACKAGES.join(' and ')}, which are not installed: ` +
      `npm install ${GRPC_PACKAGES.join(' ')}`, { field: 'dependencies' });
  }
  const definition = protoLoader.loadSync(RUNTIME_PROTO, {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    runtime: { v1: NonNullable<typeof services> };
  };
  services = pkg.runtime.v1;
  return services;
}

/** What is at `socket`, as a user would want it described; undefined if it is a socket. */
function socketProblem(socket: string): string | undefined {
  try {
    const stat = statSync(socket);
    if (stat.isSocket()) return undefined;
    return stat.isDirectory() ? 'it is a directory, not a socket' : 'it is a file, not a socket';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file (is the runtime running, and is this its socket?)';
    if (code === 'EACCES') return 'permission denied (the CRI socket is usually root-only)';
    return code ?? (error as Error).message;
  }
}

/**
 * A connection to one CRI runtime. Every method is one CRI call; every
 * failure is a PausekitError whose message names the call and the socket.
 */
export class CriClient {
  readonly socket: string;
  private readonly runtime: Grpc.Client;
  private readonly images: Grpc.Client;
  private readonly timeoutMs: number;

  private constructor(socket: string, options: ClientOptions, { RuntimeService, ImageService }: NonNullable<typeof services>) {
    this.socket = socket;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const target = `unix://${socket}`;
    // Calls fail at once when the socket refuses them (no waitForReady): a
    // wrong socket is reported, not waited on until the deadline.
    const channel: Grpc.ChannelOptions = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 };
    this.runtime = new RuntimeService(target, grpc.credentials.createInsecure(), channel);
    this.images = new ImageService(target, grpc.credentials.createInsecure(), channel);
  }

  /**
   * Open a client on `socket` and ask the runtime its version, so that a
   * wrong path or a daemon that is not a CRI runtime fails here, clearly.
   */
  static async connect(socket: string, options: ClientOptions = {}): Promise<{ client: CriClient; version: VersionResponse }> {
    const problem = socketProblem(socket);
    if (problem !== undefined) {
      throw new PausekitError(`no CRI runtime at ${socket}: ${problem}`, { file: socket, field: 'socket' });
    }
    const client = new CriClient(socket, options, await loadServices());
    try {
      const version = await client.version();
      return { client, version };
    } catch (error) {
      client.close();
      throw error;
    }
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }

  /** One unary call, with a deadline, its failure explained. */
  private call<T>(client: Grpc.Client, service: string, method: string, request: object, timeoutMs = this.timeoutMs): Promise<T> {
    const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    return new Promise((resolve, reject) => {
      fn(request, { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error === null) resolve(response as T);
        else reject(this.explain(error, service, method, timeoutMs));
      });
    });
  }

  /** A gRPC failure, in terms of this socket and what to do about it. */
  private explain(error: Grpc.ServiceError, service: string, method: string, timeoutMs: number): PausekitError {
    const where = { file: this.socket, call: `${service}/${method}`, grpcCode: grpc.status[error.code], grpcDetails: error.details };
    const details = error.details || error.message;
    switch (error.code) {
      case grpc.status.UNIMPLEMENTED:
        return new PausekitError(
          `${this.socket} is not a CRI ${CRI_API_VERSION} runtime: it answered ${method} with '${details}' ` +
            '(for containerd, the CRI plugin "io.containerd.grpc.v1.cri" must not be in disabled_plugins)',
          where,
        );
      case grpc.status.UNAVAILABLE: {
        // grpc-js: "No connection established. Last error: <why> (<time>). Resolution note: ..."
        const why = /Last error: (.*?)(?: \(\d{4}-[^)]*\))?\.?(?: Resolution note:.*)?$/.exec(details)?.[1] ?? details;
        if (/ECONNREFUSED/.test(why)) {
          return new PausekitError(`nothing listens on ${this.socket} (connection refused): the runtime that made it is gone`, where);
        }
        return new PausekitError(`${this.socket} does not speak gRPC as a CRI runtime does: ${method} failed (${why})`, where);
      }
      case grpc.status.DEADLINE_EXCEEDED:
        return new PausekitError(`${this.socket} did not answer ${method} within ${timeoutMs} ms`, where);
      case grpc.status.INTERNAL:
        if (/protocol error|parse|malformed|HTTP/i.test(details)) {
          return new PausekitError(`${this.socket} does not speak gRPC as a CRI runtime does: ${method} failed (${details})`, where);
        }
        break;
      default:
        break;
    }
    const sandboxImage = /failed to get sandbox image "([^"]+)"/.exec(details);
    if (sandboxImage !== null) {
      return new PausekitError(
        `the runtime at ${this.socket} cannot start a pod: its sandbox image ${sandboxImage[1]} is not in its image store ` +
          `and pulling it failed; load it into the node's store first (${details})`,
        { ...where, image: sandboxImage[1] },
      );
    }
    return new PausekitError(`CRI ${method} on ${this.socket} failed (${grpc.status[error.code]}): ${details}`, where);
  }

  private rt<T>(method: string, request: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.runtime, 'runtime.v1.RuntimeService', method, request, timeoutMs);
  }

  version(): Promise<VersionResponse> {
    return this.rt('Version', { version: CRI_API_VERSION });
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const response = await this.rt<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler });
    return response.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('RemovePodSandbox', { podSandboxId });
  }

  /** The sandbox's status; with verbose, `info` holds the runtime's own JSON. */
  podSandboxStatus(podSandboxId: string, verbose = false): Promise<{ status: PodSandboxStatus; info: Record<string, string> }> {
    return this.rt('PodSandboxStatus', { podSandboxId, verbose });
  }

  async listPodSandbox(): Promise<PodSandbox[]> {
    const response = await this.rt<{ items: PodSandbox[] }>('ListPodSandbox', {});
    return response.items;
  }

  /** Create a container; the image must be in the runtime's store (checked first, to say so clearly). */
  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    await this.requireImage(config.image.image, `container ${config.metadata.name}`);
    const response = await this.rt<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig });
    return response.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.rt('StartContainer', { containerId });
  }

  async listContainers(podSandboxId = ''): Promise<Container[]> {
    const response = await this.rt<{ containers: Container[] }>('ListContainers', { filter: { podSandboxId } });
    return response.containers;
  }

  containerStatus(containerId: string, verbose = false): Promise<{ status: ContainerStatus; info: Record<string, string> }> {
    return this.rt('ContainerStatus', { containerId, verbose });
  }

  /** Run a command in a container and wait for it (as a liveness probe does). */
  async execSync(containerId: string, cmd: string[], timeoutSeconds = 30): Promise<ExecResult> {
    const response = await this.rt<{ stdout: Buffer; stderr: Buffer; exitCode: number }>(
      'ExecSync',
      { containerId, cmd, timeout: timeoutSeconds },
      this.timeoutMs + timeoutSeconds * 1000,
    );
    return { stdout: response.stdout.toString('utf8'), stderr: response.stderr.toString('utf8'), exitCode: response.exitCode };
  }

  /** The image as the runtime knows it, or undefined when it has no such image. */
  async imageStatus(image: string): Promise<Image | undefined> {
    const response = await this.call<{ image: Image | null }>(this.images, 'runtime.v1.ImageService', 'ImageStatus', { image: { image } });
    return response.image ?? undefined;
  }

  /** The image, or a PausekitError naming it, who wanted it and the socket. */
  async requireImage(image: string, forWhat: string): Promise<Image> {
    const found = await this.imageStatus(image);
    if (found === undefined) {
      throw new PausekitError(
        `image ${image} (for ${forWhat}) is not in the image store of the runtime at ${this.socket}; ` +
          'load it first (containerd: ctr --namespace k8s.io images import FILE.tar)',
        { file: this.socket, image },
      );
    }
    return found;
  }
}
