"""Every error a turn, an API call or a device socket can end with, by machine code: what went wrong, in
words, and that nothing was written where that matters."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # input stage
    "input-empty": ("没有收到内容，请再说一遍。", "The message is empty; please say it again."),
    "input-too-long": ("内容太长(最多{max_chars}字)，请分开说。",
                       "The message is too long (at most {max_chars} characters); please split it."),
    "too-many-turns": ("这台设备发得太快了，请{retry_after_s}秒后再试。什么都没有写入。",
                       "Too many turns from this device; try again in {retry_after_s} s. Nothing was written."),
    "input-too-large": ("文件太大(最多{max_mb} MB)。", "The file is too large (at most {max_mb} MB)."),
    "device-busy": ("这台设备的上一句还在处理({waited_s}秒)，请稍后再试。什么都没有写入。",
                    "This device's previous turn is still running ({waited_s} s); try again shortly. Nothing was "
                    "written."),
    "state-unavailable": ("共享状态存储(Redis)暂时不可用，请稍后再试。什么都没有写入。",
                          "The shared state store (Redis) is not available right now; nothing was written."),
    "input-malformed": ("请求格式不对：需要JSON {{\"text\": \"...\"}} 或 {{\"action\": \"confirm\"}}，"
                        "或者带 audio / image 文件的表单。",
                        "Malformed request: expected JSON {{\"text\": \"...\"}} or {{\"action\": \"confirm\"}}, "
                        "or a form with an audio or image file."),
    # speech
    "audio-unsupported": ("这不是能识别的音频，请发送 WAV、OGG、MP3、AMR 或 WebM。",
                          "That is not audio I can read; send WAV, OGG, MP3, AMR or WebM."),
    "audio-corrupt": ("音频文件已损坏或不完整。", "The audio file is damaged or incomplete."),
    "audio-too-large": ("音频文件太大。", "The audio file is too large."),
    "audio-too-long": ("语音太长，请一句一句说。", "The recording is too long; say one command at a time."),
    "stt-unavailable": ("语音识别模型没有安装(请运行 make setup)。",
                        "The speech models are not installed (run make setup)."),
    # vision
    "image-unsupported": ("这不是能识别的图片，请上传 PNG 或 JPEG 照片。",
                          "That is not an image I can read; send a PNG or JPEG."),
    "image-corrupt": ("图片已损坏，无法读取。", "The image is damaged and cannot be read."),
    "image-too-large": ("图片太大，请缩小后再发。", "The image is too large; please send a smaller one."),
    "vision-models-missing": ("文字识别模型没有安装(请运行 make setup)。",
                              "The OCR models are not installed (run make setup)."),
    # dialogue engine
    "nlu-unavailable": ("对话引擎(Rasa)暂时不可用，请稍后再试。什么都没有写入。",
                        "The dialogue engine (Rasa) is not available right now; nothing was written."),
    # who is calling, and what they may see
    "auth-invalid-token": ("设备令牌无效或缺失。", "Missing or invalid device token."),
    "document-not-found": ("没有单据{doc}。", "No document {doc}."),
    "site-forbidden": ("只能查看本场地的库存。", "A device may only see its own site."),
    "approval-not-permitted": ("这台设备的使用人不能审批调拨单(主管或经理才能)。",
                               "This device's worker may not approve transfers (a supervisor or manager may)."),
    "approval-out-of-stock": ("库存不足，不能批准调拨单{doc}：现在可用{available}，需要{requested}(基本单位)。",
                              "Not enough stock to approve transfer {doc}: {available} available now, "
                              "{requested} needed (base units)."),
    "turns-not-permitted": ("只有本场地的主管或经理能查看对话记录。",
                            "Only a supervisor or manager of this site may read the turn record."),
    "vouchers-not-permitted": ("只有本场地的主管或经理能查看凭证。",
                               "Only a supervisor or manager of this site may read the vouchers."),
    "partner-deliveries-not-permitted": ("只有本场地的主管或经理能查看合作方推送记录。",
                                         "Only a supervisor or manager of this site may read the partner deliveries."),
    "contract-not-permitted": ("这台设备的使用人不能下载购销合同(开单员、主管或经理才能)。",
                               "This device's worker may not download sales contracts (a clerk, supervisor or "
                               "manager may)."),
    "contract-not-ready": ("单据{doc}的购销合同正在生成和签章，请几秒后再试。",
                           "The sales contract of document {doc} is being made and signed; try again in a few "
                           "seconds."),
    "contract-none": ("单据{doc}没有购销合同(只有已确认的、所在场地登记了公司信息的销售单才生成合同)。",
                      "Document {doc} has no sales contract (only confirmed sales orders of a site with its company "
                      "details get one)."),
    "contract-failed": ("单据{doc}的购销合同没能生成，请联系管理员查看日志(证书、字体或合同模板)。",
                        "The sales contract of document {doc} could not be made; ask an administrator to check the "
                        "logs (certificate, font or contract template)."),
    "turn-not-found": ("没有对话记录{turn}。", "No turn {turn}."),
    "turn-media-not-kept": ("对话{turn}的录音或照片没有保存(只保存了校验值；见 FRONTLINE_KEEP_MEDIA_DAYS)。",
                            "The recording or photo of turn {turn} was not kept (only its checksum; see "
                            "FRONTLINE_KEEP_MEDIA_DAYS)."),
    "dashboard-not-permitted": ("看板只对本场地的主管和经理开放；这台设备的使用人不能查看。",
                                "The dashboard is for the site's supervisors and managers; this device's worker "
                                "may not open it."),
    "unknown-device-code": ("本场地没有设备“{device}”。", "No device '{device}' at this site."),
    "unknown-item-code": ("没有找到物料“{item}”。", "No item called '{item}'."),
    # the headset socket
    "ws-bad-config": ("配置不对：sample_rate 须在8000到48000之间，且只能在两句话之间更改。",
                      "Bad config: sample_rate must be 8000..48000, and it may change only between utterances."),
    "ws-bad-message": ("消息格式不对：应为 config、音频、eof 或 action。",
                       "Unexpected message: expected config, audio, eof or action."),
    "ws-bad-audio": ("音频帧须是16位PCM(字节数为偶数)。", "Audio frames must be 16-bit PCM (an even number of bytes)."),
    "ws-frame-too-big": ("音频帧太大(最多{max_bytes}字节)。", "Audio frames must be at most {max_bytes} bytes."),
    "ws-utterance-too-long": ("一句话最长{max_s}秒。", "An utterance may last at most {max_s} s."),
    "ws-origin-forbidden": ("这个网页不能连接设备接口。", "A page of another site may not open a device socket."),
    "ws-timeout": ("太久没有收到音频，这句话已放弃。", "No audio for too long; the utterance was dropped."),
    "db-unavailable": ("数据库暂时连不上，什么都没有写入。请稍后再试。",
                       "The database is not reachable right now; nothing was written. Please try again shortly."),
    # anything else: never a stack trace
    "internal-error": ("出了点问题，什么都没有写入。请再试一次。",
                       "Something went wrong; nothing was written. Please try again."),
}
