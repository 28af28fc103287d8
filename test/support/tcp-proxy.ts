import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that a test can break: refuse connections (the database is
 * gone), cut every open connection, or cut a connection when the client sends some text: before
 * the server gets it, or after (the server runs the statement, its answer is lost). It listens on
 * 127.0.0.1 only.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cutOnText: string | undefined;
  private cutAfterText: string | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops listening (new connections are refused) and cuts every open connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cutAll();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Listens again on the same port. */
  up(): Promise<void> {
    return this.start();
  }

  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** The next time a client sends `text`, that chunk is dropped and its connection cut. */
  cutWhenClientSends(text: string): void {
    this.cutOnText = text;
  }

  /**
   * The next time a client sends `text`, the server gets it and runs it, but the client never
   * hears the answer: the connection is cut once the server is done.
   */
  cutAfterClientSends(text: string): void {
    this.cutAfterText = text;
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (this.cutOnText && chunk.includes(this.cutOnText)) {
        this.cutOnText = undefined;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (this.cutAfterText && chunk.includes(this.cutAfterText)) {
        this.cutAfterText = undefined;
        this.swallowAnswer(client, upstream);
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  }

  /**
   * The rest of the client's message still reaches the server (a large statement spans several
   * chunks); the server's answer is dropped, and once it has said ReadyForQuery (the statement
   * done and committed) both ends are cut.
   */
  private swallowAnswer(client: Socket, upstream: Socket): void {
    upstream.unpipe(client);
    let tail = Buffer.alloc(0);
    const onAnswer = (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]).subarray(-READY_FOR_QUERY.length);
      if (tail.equals(READY_FOR_QUERY)) {
        upstream.off('data', onAnswer);
        client.destroy();
        upstream.destroy();
      }
    };
    upstream.on('data', onAnswer);
    upstream.resume(); // unpipe() paused it
  }
}

/** PostgreSQL's ReadyForQuery message, idle (no transaction open): 'Z', length 5, 'I'. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
