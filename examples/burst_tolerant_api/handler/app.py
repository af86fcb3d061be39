"""Consumer of the orders queue: stores each order and its payload, then announces it."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
bucket = boto3.resource("s3").Bucket(os.environ["BUCKET_NAME"])
topic = boto3.resource("sns").Topic(os.environ["TOPIC_ARN"])


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            order_id = str(order["order_id"])
            bucket.put_object(Key=f"orders/{order_id}.json", Body=record["body"].encode())
            table.put_item(Item={"order_id": order_id, "status": "received"})
            topic.publish(Message=json.dumps({"order_id": order_id, "status": "received"}))
        except Exception:  # a bad message goes back to the queue, then to the DLQ
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
