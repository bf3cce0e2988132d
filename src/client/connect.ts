import { Client, Connection } from '@temporalio/client';
import { connectTemporal } from '../adapters/reachability';
import { loadTemporalConfig, type TemporalConfig } from '../config/worker-config';
import { connectionOptions } from '../worker/connection-options';
import { SessionMeetings } from './session-meetings';

export interface ConnectedSessionMeetings {
  api: SessionMeetings;
  client: Client;
  close(): Promise<void>;
}

/** Connects to Temporal as the environment says (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...). */
export async function connectSessionMeetings(config: TemporalConfig = loadTemporalConfig()): Promise<ConnectedSessionMeetings> {
  const connection = await connectTemporal(config.address, () => Connection.connect(connectionOptions(config)));
  const client = new Client({ connection, namespace: config.namespace });
  return { api: new SessionMeetings(client, config.taskQueue), client, close: () => connection.close() };
}
