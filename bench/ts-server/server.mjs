// The benchmark's reference: an MCP server built on the official TypeScript
// SDK (McpServer + registerTool, so input and output schemas are validated
// as the SDK does it), serving racktop_status with an empty result over a
// Unix socket. Each connection gets its own McpServer and a transport that
// frames newline-delimited JSON-RPC with the SDK's own ReadBuffer and
// serializeMessage, exactly as StdioServerTransport does on stdin/stdout.
//
// usage: node server.mjs --socket PATH

import fs from 'node:fs';
import net from 'node:net';
import process from 'node:process';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { z } from 'zod';

// A Transport over one connected socket.
class SocketTransport {
  constructor(socket) {
    this._socket = socket;
    this._readBuffer = new ReadBuffer();
    this._closed = false;
  }

  async start() {
    this._socket.on('data', (chunk) => {
      try {
        this._readBuffer.append(chunk);
      } catch (error) {
        this.onerror?.(error);
        this.close().catch(() => {});
        return;
      }
      for (;;) {
        let message;
        try {
          message = this._readBuffer.readMessage();
        } catch (error) {
          this.onerror?.(error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    this._socket.on('error', (error) => this.onerror?.(error));
    this._socket.on('close', () => this.close().catch(() => {}));
  }

  send(message) {
    return new Promise((resolve) => {
      if (this._closed || this._socket.write(serializeMessage(message))) resolve();
      else this._socket.once('drain', resolve);
    });
  }

  async close() {
    if (this._closed) return;
    this._closed = true;
    this._readBuffer.clear();
    this._socket.destroy();
    this.onclose?.();
  }
}

// A fresh McpServer with racktop_status, shaped like racktop's tool.
function createServer() {
  const server = new McpServer({ name: 'racktop-bench-ts', version: '1.0.0' });
  const item = z.object({
    service: z.string(),
    instance: z.string(),
    reachable: z.boolean(),
    authenticated: z.boolean(),
    age_ms: z.number().int(),
    error: z.string().optional(),
  });
  server.registerTool(
    'racktop_status',
    {
      title: 'racktop status',
      description: 'Every configured instance: reachable, authenticated, age of its data, last error.',
      inputSchema: {},
      outputSchema: {
        items: z.array(item),
        total: z.number().int(),
        age_ms: z.number().int(),
        instance_errors: z.array(z.object({ instance: z.string(), error: z.string() })),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const structuredContent = { items: [], total: 0, age_ms: 0, instance_errors: [] };
      return {
        content: [{ type: 'text', text: JSON.stringify(structuredContent) }],
        structuredContent,
      };
    },
  );
  return server;
}

function main() {
  const i = process.argv.indexOf('--socket');
  if (i < 0 || i + 1 >= process.argv.length) {
    process.stderr.write('usage: node server.mjs --socket PATH\n');
    process.exit(2);
  }
  const path = process.argv[i + 1];
  try {
    fs.unlinkSync(path);
  } catch {
    // no stale socket
  }
  const listener = net.createServer((socket) => {
    const server = createServer();
    server.connect(new SocketTransport(socket)).catch((error) => {
      process.stderr.write(`ts-server: ${error}\n`);
      socket.destroy();
    });
  });
  listener.listen(path);
  const stop = () => {
    listener.close();
    try {
      fs.unlinkSync(path);
    } catch {
      // gone already
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
