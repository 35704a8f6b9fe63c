"""Speech and photo recognition in worker processes, fed through Redis Streams (docs/scaling.md, "Recognition
worker pool"): the app's clients (`RemoteSpeech`, `RemoteVision`), the worker (`RecognitionWorker`), the messages
between them, and the pool's settings."""

from assistant.recognition.client import Pool, RemoteSpeech, RemoteStream, RemoteVision
from assistant.recognition.settings import PoolSettings
from assistant.recognition.worker import RecognitionWorker

__all__ = ["Pool", "PoolSettings", "RecognitionWorker", "RemoteSpeech", "RemoteStream", "RemoteVision"]
