"""Order worker: stores each queued order in DynamoDB and its raw payload in S3.

Failed records are reported individually (ReportBatchItemFailures), so only they are retried.
"""
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
S3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def handler(event, _context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            order_id = str(order["order_id"])
            S3.put_object(Bucket=BUCKET, Key=f"orders/{order_id}.json", Body=record["body"].encode())
            TABLE.put_item(Item={"order_id": order_id, "status": "received", "message_id": record["messageId"]})
        except Exception as err:  # noqa: BLE001 - every failure is retried through SQS
            print(json.dumps({"level": "ERROR", "message_id": record["messageId"], "error": str(err)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
