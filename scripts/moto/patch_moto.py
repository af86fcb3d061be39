"""Fixes one moto 5.2.5 bug that breaks the AWS SDK for Rust, in the installed copy.

moto answers GetBucketVersioning with the root element <GetBucketVersioningResponse>; S3 (and its
documented response syntax) uses <VersioningConfiguration>. boto3 ignores the root name, the Rust
SDK rejects the response. The patch makes moto return S3's documented XML. Idempotent: prints
"patched" or "already patched"; fails loudly if moto's code no longer looks as expected.
"""
import pathlib
import sys

import moto.s3.responses as responses

MARK = "# wellarch: GetBucketVersioning root element"
OLD = """        result = {"Status": versioning}
        self.data["Action"] = "GetBucketVersioning"
        return self.serialized(ActionResult(result))
"""
NEW = f"""        {MARK}
        status = f"<Status>{{versioning}}</Status>" if versioning else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"{{status}}</VersioningConfiguration>"
        )
        return 200, {{"Content-Type": "application/xml"}}, body
"""

path = pathlib.Path(responses.__file__)
text = path.read_text()
if MARK in text:
    print("already patched")
elif text.count(OLD) == 1:
    path.write_text(text.replace(OLD, NEW))
    print("patched")
else:
    sys.exit(f"moto changed: {path} no longer has the expected get_bucket_versioning body")
