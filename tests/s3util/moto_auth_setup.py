"""Sets up a moto server started with INITIAL_NO_AUTH_ACTION_COUNT=6 (its
first six actions unauthenticated, then IAM authentication and policies
enforced): a bucket with an open and a secret prefix, and a user allowed to
list the bucket and read only the open prefix. Prints the user's keys as JSON.

usage: python3 moto_auth_setup.py ENDPOINT BUCKET
"""
import json
import sys

import boto3

endpoint, bucket = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=endpoint, aws_access_key_id="AKIASETUP", aws_secret_access_key="setup",
          region_name="us-east-1")
s3 = boto3.client("s3", **kw)
iam = boto3.client("iam", **kw)
s3.create_bucket(Bucket=bucket)                                                       # 1
s3.put_object(Bucket=bucket, Key="open/contacts.csv",
              Body=b"email\nann@example.com\nbob@example.com\ncy@example.com\n")     # 2
s3.put_object(Bucket=bucket, Key="secret/payroll.csv",
              Body=b"email\ndee@example.com\neve@example.com\n")                     # 3
iam.create_user(UserName="scanner")                                                  # 4
key = iam.create_access_key(UserName="scanner")["AccessKey"]                         # 5
iam.put_user_policy(UserName="scanner", PolicyName="scan-open-only", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/open/*"},
    ],
}))                                                                                   # 6
print(json.dumps({"access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"]}))
