import asyncio
from collections.abc import AsyncIterator, Iterator
from urllib.parse import unquote

import httpx
import pytest
import pytest_asyncio

from server.channels.dingtalk.api import DingTalkApi, SendResult, send_message_link
from server.channels.dingtalk.errors import DingTalkError
from tests.channels.fake_dingtalk import FakeDingTalk


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with FakeDingTalk() as running:
        yield running


@pytest_asyncio.fixture(loop_scope="function")  # the client must live on the test's own loop
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def api_for(fake: FakeDingTalk, http: httpx.AsyncClient, **options: object) -> DingTalkApi:
    settings: dict[str, object] = {"app_key": fake.app_key, "app_secret": fake.app_secret,
                                   "api_base": fake.base_url, "oapi_base": fake.base_url,
                                   "download_hosts": [fake.host], "timeout_s": 5.0}
    settings.update(options)
    return DingTalkApi(http, **settings)  # type: ignore[arg-type]


async def code_of(call: object) -> str:
    with pytest.raises(DingTalkError) as caught:
        await call  # type: ignore[misc]
    return caught.value.code


# --- access token -----------------------------------------------------------------------------------------------------

async def test_the_token_is_fetched_once_and_reused(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    fake.add_file("c1", b"one")
    assert await api.download("c1") == b"one"
    assert await api.download("c1") == b"one"
    await asyncio.gather(*(api.access_token() for _ in range(5)))  # concurrent callers share the cached one
    assert fake.token_requests == [{"appKey": fake.app_key, "appSecret": fake.app_secret}]


async def test_concurrent_first_callers_share_one_fetch(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    tokens = await asyncio.gather(*(api.access_token() for _ in range(5)))
    assert len(set(tokens)) == 1 and len(fake.token_requests) == 1


async def test_the_token_is_refreshed_before_it_expires(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    clock = Clock()
    api = api_for(fake, http, clock=clock, token_margin_s=300.0)
    first = await api.access_token()
    clock.now += 7200 - 301  # still inside the margin
    assert await api.access_token() == first
    clock.now += 2  # within 5 minutes of DingTalk's expiry: refresh now
    assert await api.access_token() != first
    assert len(fake.token_requests) == 2


async def test_a_rejected_token_is_refreshed_once_and_the_call_retried(fake: FakeDingTalk,
                                                                        http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    fake.add_file("c1", b"bytes")
    await api.download("c1")
    fake.revoke_tokens()  # DingTalk now answers 400 InvalidAuthentication for the cached token
    assert await api.download("c1") == b"bytes"
    assert len(fake.token_requests) == 2
    assert fake.api_calls == ["download", "download", "download"]


async def test_a_token_rejected_even_after_a_refresh_is_an_auth_failure(fake: FakeDingTalk,
                                                                         http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    fake.add_file("c1", b"bytes")
    fake.fail("download", times=2, status=401)
    assert await code_of(api.download("c1")) == "auth-failed"
    assert len(fake.token_requests) == 2  # one refresh, not a loop


async def test_wrong_credentials_are_an_auth_failure(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http, app_secret="wrong")
    assert await code_of(api.access_token()) == "auth-failed"
    fake.fail("token", status=503)
    assert await code_of(api_for(fake, http).access_token()) == "api-failed"


# --- download ---------------------------------------------------------------------------------------------------------

async def test_download_fetches_the_bytes_behind_a_code(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    fake.add_file("pic/code+1=", b"\x89PNG...")
    assert await api_for(fake, http).download("pic/code+1=") == b"\x89PNG..."
    assert fake.file_fetches == ["pic/code+1="]


@pytest.mark.parametrize("link", [
    "https://evil.example/steal",
    "http://169.254.169.254/latest/meta-data",
    "http://localhost:{port}/files/c1",  # loopback too, but not the allowed host name
    "ftp://127.0.0.1/files/c1",
    "http://127.0.0.1@evil.example/files/c1",
    "not a url",
])
async def test_download_refuses_a_link_to_a_host_not_allowed(fake: FakeDingTalk, http: httpx.AsyncClient,
                                                             link: str) -> None:
    port = httpx.URL(fake.base_url).port
    fake.add_file("c1", b"secret", download_url=link.format(port=port))
    assert await code_of(api_for(fake, http).download("c1")) == "host-not-allowed"
    assert fake.file_fetches == []


async def test_download_hosts_may_name_a_domain_and_its_subdomains(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    fake.add_file("c1", b"x", download_url="https://evil-dingtalk.com/f")
    api = api_for(fake, http, download_hosts=["*.dingtalk.com", fake.host])
    assert await code_of(api.download("c1")) == "host-not-allowed"  # a suffix match needs the dot


async def test_plain_http_is_allowed_to_loopback_only(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    fake.add_file("c1", b"x", download_url="http://files.example/f")
    api = api_for(fake, http, download_hosts=["files.example"])
    assert await code_of(api.download("c1")) == "host-not-allowed"


async def test_download_errors(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http, max_download_bytes=10)
    assert await code_of(api.download("unknown-code")) == "api-failed"
    fake.add_file("big", b"x" * 11)
    assert await code_of(api.download("big")) == "download-too-large"
    fake.add_file("gone", b"x", download_url=f"{fake.base_url}/files/nothing-here")
    assert await code_of(api.download("gone")) == "api-failed"
    fake.add_file("ok", b"0123456789")
    fake.fail("file")
    assert await code_of(api.download("ok")) == "api-failed"
    assert await api.download("ok") == b"0123456789"


# --- sending ----------------------------------------------------------------------------------------------------------

async def test_reply_posts_markdown_to_the_session_webhook(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    await api.reply(fake.session_webhook("s-42"), "入库", "**10 箱** 已入库")
    await api.reply(fake.session_webhook("s-42"), "提醒", "好", at_staff_ids=["manager4220"])
    assert [post.key for post in fake.replies] == ["s-42", "s-42"]
    assert fake.replies[0].body == {"msgtype": "markdown", "markdown": {"title": "入库", "text": "**10 箱** 已入库"}}
    assert fake.replies[1].body["at"] == {"atUserIds": ["manager4220"]}


async def test_reply_goes_only_to_allowed_hosts(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    assert await code_of(api.reply("https://evil.example/robot/sendBySession?session=x", "t", "x")) \
        == "host-not-allowed"
    # The default allowed webhook host is oapi_base's: here the fake's loopback address.
    default = DingTalkApi(http, app_key="k", app_secret="s", download_hosts=[])
    assert await code_of(default.reply(fake.session_webhook(), "t", "x")) == "host-not-allowed"
    assert fake.replies == []


async def test_a_webhook_errcode_is_a_failure(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    fake.fail("session-webhook", errcode=300001)
    assert await code_of(api_for(fake, http).reply(fake.session_webhook(), "t", "x")) == "api-failed"
    for status in (502, 401):  # a 401 from a webhook is not about our access token: no refresh, just a failure
        fake.fail("session-webhook", status=status)
        assert await code_of(api_for(fake, http).reply(fake.session_webhook(), "t", "x")) == "api-failed"
    assert fake.token_requests == []


async def test_send_markdown_batches_staff_by_twenty(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    staff = [f"u{i}" for i in range(45)]
    result = await api_for(fake, http).send_markdown(staff, "库存预警", "A-01 **低于** 安全库存")
    assert isinstance(result, SendResult) and len(result.process_query_keys) == 3
    assert [len(sent.user_ids) for sent in fake.sent] == [20, 20, 5]
    assert [uid for sent in fake.sent for uid in sent.user_ids] == staff
    first = fake.sent[0]
    assert first.robot_code == fake.app_key and first.msg_key == "sampleMarkdown"
    assert first.msg_param == {"title": "库存预警", "text": "A-01 **低于** 安全库存"}


async def test_a_lone_id_string_is_refused(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    with pytest.raises(TypeError):
        await api_for(fake, http).send_markdown("manager4220", "t", "x")


async def test_the_confirm_card_has_two_buttons_that_send_their_word(fake: FakeDingTalk,
                                                                     http: httpx.AsyncClient) -> None:
    await api_for(fake, http).send_confirm_card(["manager4220"], "确认出库", "出库 **10 箱** A-01？")
    (sent,) = fake.sent
    assert sent.msg_key == "sampleActionCard2"
    param = sent.msg_param
    assert (param["title"], param["text"]) == ("确认出库", "出库 **10 箱** A-01？")
    assert (param["actionTitle1"], param["actionTitle2"]) == ("确认", "取消")
    assert param["actionURL1"] == "dtmd://dingtalkclient/sendMessage?content=%E7%A1%AE%E8%AE%A4"
    assert unquote(param["actionURL2"].split("content=")[1]) == "取消"


def test_send_message_link_encodes_everything() -> None:
    assert send_message_link("a b&c=确认") == "dtmd://dingtalkclient/sendMessage?content=a%20b%26c%3D%E7%A1%AE%E8%AE%A4"


async def test_a_failed_batch_send_is_an_api_failure(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    fake.fail("batch-send", status=500)
    assert await code_of(api_for(fake, http).send_markdown(["u1"], "t", "x")) == "api-failed"
    assert fake.sent == []


async def test_a_silent_dingtalk_times_out(http: httpx.AsyncClient) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    try:
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        api = DingTalkApi(http, app_key="k", app_secret="s", api_base=base, oapi_base=base, download_hosts=[],
                          timeout_s=0.3)
        assert await code_of(api.access_token()) == "api-unreachable"
    finally:
        server.close()


async def test_a_token_answer_without_a_token_is_an_auth_failure(fake: FakeDingTalk,
                                                                  http: httpx.AsyncClient) -> None:
    fake.fail("token", errcode=0)  # HTTP 200 with a body that has no accessToken
    assert await code_of(api_for(fake, http).access_token()) == "auth-failed"


# --- files ------------------------------------------------------------------------------------------------------------

async def test_send_file_uploads_then_sends_a_sample_file(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    pdf = b"%PDF-1.7 contract"
    await api.send_file(["W21"], pdf, "HT-FS-0001.pdf")
    (media_id, (name, content)), = fake.uploads.items()
    assert (name, content) == ("HT-FS-0001.pdf", pdf)
    (sent,) = fake.sent
    assert sent.msg_key == "sampleFile" and sent.user_ids == ("W21",)
    assert sent.msg_param == {"mediaId": media_id, "fileName": "HT-FS-0001.pdf", "fileType": "pdf"}


async def test_an_upload_with_a_stale_token_is_retried_with_a_new_one(fake: FakeDingTalk,
                                                                      http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    await api.access_token()
    fake.revoke_tokens()
    assert await api.upload_media(b"x", "a.pdf")
    assert len(fake.token_requests) == 2 and len(fake.uploads) == 1


async def test_a_failed_upload_sends_nothing(fake: FakeDingTalk, http: httpx.AsyncClient) -> None:
    api = api_for(fake, http)
    fake.fail("upload", times=1, status=500)
    assert await code_of(api.send_file(["W21"], b"x", "a.pdf")) == "api-failed"
    assert fake.sent == [] and fake.uploads == {}
