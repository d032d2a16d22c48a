// The seed's STS flows with the AWS SDK for JavaScript v3, against CREDMINT_ENDPOINT.
// Input (environment): CREDMINT_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// MFA_SERIAL, MFA_CODE_1, MFA_CODE_2, ROLE_ARN. Output: one JSON document on stdout.
import {
  STSClient,
  GetSessionTokenCommand,
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
} from "@aws-sdk/client-sts";

const endpoint = process.env.CREDMINT_ENDPOINT;
const region = "us-east-1";
const longTerm = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
};
const client = (credentials) => new STSClient({ endpoint, region, credentials });
const asCreds = (c) => ({
  accessKeyId: c.AccessKeyId,
  secretAccessKey: c.SecretAccessKey,
  sessionToken: c.SessionToken,
});
const errorOf = async (promise) => {
  try {
    await promise;
    return null;
  } catch (err) {
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
};

const out = {};
const sts = client(longTerm);

const gst = await sts.send(
  new GetSessionTokenCommand({
    DurationSeconds: 900,
    SerialNumber: process.env.MFA_SERIAL,
    TokenCode: process.env.MFA_CODE_1,
  }),
);
out.sessionKeyId = gst.Credentials.AccessKeyId;
out.sessionExpiration = gst.Credentials.Expiration.toISOString();
out.sessionIdentity = (await client(asCreds(gst.Credentials)).send(new GetCallerIdentityCommand({}))).Arn;

out.refusedWithoutMfa = await errorOf(
  sts.send(new AssumeRoleCommand({ RoleArn: process.env.ROLE_ARN, RoleSessionName: "js-nomfa" })),
);
const role = await sts.send(
  new AssumeRoleCommand({
    RoleArn: process.env.ROLE_ARN,
    RoleSessionName: "js-session",
    DurationSeconds: 900,
    SerialNumber: process.env.MFA_SERIAL,
    TokenCode: process.env.MFA_CODE_2,
  }),
);
out.assumedRoleUser = role.AssumedRoleUser;
out.roleIdentity = await client(asCreds(role.Credentials)).send(new GetCallerIdentityCommand({}));
delete out.roleIdentity.$metadata;
out.replayed = await errorOf(
  sts.send(
    new AssumeRoleCommand({
      RoleArn: process.env.ROLE_ARN,
      RoleSessionName: "js-replay",
      SerialNumber: process.env.MFA_SERIAL,
      TokenCode: process.env.MFA_CODE_2,
    }),
  ),
);
const fed = await sts.send(
  new GetFederationTokenCommand({
    Name: "js-fed",
    PolicyArns: [{ arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }],
  }),
);
out.federatedUser = fed.FederatedUser;
out.packedPolicySize = fed.PackedPolicySize;
console.log(JSON.stringify(out));
