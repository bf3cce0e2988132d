import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { meetingStatusSearchAttribute, sessionStartTimeSearchAttribute } from '../workflows/contract';

const { IndexedValueType } = temporal.api.enums.v1;

/** gRPC status ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

const REQUIRED = {
  [meetingStatusSearchAttribute.name]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [sessionStartTimeSearchAttribute.name]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * Registers the workflow's search attributes on a self-hosted cluster; ones that exist are left as
 * they are. One call each, since some servers refuse a whole call that names an existing one. (On
 * Temporal Cloud they are added with tcld or the web UI; the worker has no such rights there.)
 */
export async function ensureSearchAttributes(connection: Connection | NativeConnection, namespace: string): Promise<string[]> {
  for (const [name, type] of Object.entries(REQUIRED)) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [name]: type } });
    } catch (error) {
      if (!(isGrpcServiceError(error) && error.code === ALREADY_EXISTS)) throw error;
    }
  }
  return Object.keys(REQUIRED);
}
