"""Chat channels: WeCom (企业微信) and DingTalk (钉钉) adapters in front of the one turn pipeline, and the group
alerts. Each platform's protocol lives in its own package; the adapters only turn platform messages into turns and
turns into platform replies."""
