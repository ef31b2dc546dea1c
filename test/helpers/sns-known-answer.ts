/**
 * A known-answer SNS message: the example Notification of
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html with SignatureVersion 2,
 * signed once (SHA256withRSA over its string to sign) by the key of the self-signed certificate
 * below, made with `openssl req -x509 -newkey rsa:2048 -days 36500`. The key was discarded: this
 * certificate verifies this message and nothing else.
 */
export const TEST_SNS_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDXTCCAkWgAwIBAgIUQoWEBGwThqNyOBfe9aHLdyYNezkwDQYJKoZIhvcNAQEL
BQAwPTE7MDkGA1UEAwwydGVzdCBjZXJ0aWZpY2F0ZSBmb3IgU05TIHNpZ25hdHVy
ZSB0ZXN0cyAobm90IEFXUykwIBcNMjYxMTI2MDg0OTI2WhgPMjEyNjExMDIwODQ5
MjZaMD0xOzA5BgNVBAMMMnRlc3QgY2VydGlmaWNhdGUgZm9yIFNOUyBzaWduYXR1
cmUgdGVzdHMgKG5vdCBBV1MpMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC
AQEApU+gsF1LIFtVaARfZpk0LARxife5bCiCh8lfLJpDP+mUu81TBBrD6g3jPRtW
kwMwtRkFxVnqtybWiCf3gKfWaOg672it4DE2tJzzyX2wRy/YpZ76Hpy4XRd8toob
6DaG5aVagnSGm5JPvzgE0RanPdi3QLa0zm0vU5vk++qkadhuiMpbfKcWilypcHkb
UrG58PS42D/f+bkSAxpTeSXaCd1Cl9lWu8V019QkxacAzIsPDl/mLCWnKIpSHENW
ry5CK7OoJ4hfnMtF7z9KU+B/q/QYJqvSDhE0BsnpKT3vhSxKNo4waggpD7rzZQV0
a+LnXPAW1bZ+rIMjHmDfXz+kcQIDAQABo1MwUTAdBgNVHQ4EFgQU1TiWgLoKZImd
X1iDVdAC7eVvh+QwHwYDVR0jBBgwFoAU1TiWgLoKZImdX1iDVdAC7eVvh+QwDwYD
VR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAQ63QN7k03lZOrGoEgb5I
tj8oTwPqiZVDR6+Q4VcwRf67ns7Y5pDou8hFpN9xontJI3lgakJ1vMr/Zg9wFpNb
JdAc8GTIpdVmfo4r71ftZPZ+nGpJLNfUObl8gpIYH7Q26DwtrZ455W04KNnJj/Dq
4tHQjHmYBlvK1Uz4CKNuB0UI6P/ifejobJpSOan+GY+G4C8X06jkhy9gIFubUV22
P5MF/X1/NrLj044SUKMGPsdnvK5vtItg72wpqGnvj2B4caE5IwC4JYRug5dDfQtT
qu7Q7ZoZvk0IVmtWyQzTLvaTnuc6AzVtjVg7NAkJZ2LW6hBnhboqN4adfuJRUEAX
Dw==
-----END CERTIFICATE-----
`;

export const SIGNED_SNS_NOTIFICATION = {
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
  Subject: 'My First Message',
  Message: 'Hello world!',
  Timestamp: '2012-05-02T00:54:06.655Z',
  SignatureVersion: '2',
  SigningCertURL:
    'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
  UnsubscribeURL:
    'https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96',
  Signature:
    'AXgohVAlJa+Y4P2UgUkQP9YDZTht8YDklevtr9te/NxNixsMjcyUwo1mRg+LCU98E4vTFv3/WlrpdVe8RsWZLJg2aK+Z9fwxG0ExinVLnA1e7LtXWlOFZfd+eOonExrTHeqvNkJtZoFPrQsQHL8NaRgGSQ3mSlY0IimRKCQmj9tHabOUq3pRzw4IhgqXyCTJs6DiUldS5KXIBsQW2t74sIDJiia09mW1L9KSZASL3G5+p+NN6+WU33VdF7CqumxLyNA0MTHFUojiJRmm1x+COmt4mfxlFVhAscWLWPiMZNhMgPRMt/XMQuZNriq6b5LYb+hIylMRr2lP0I/hB9CqcA==',
};
