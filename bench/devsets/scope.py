"""Out-of-scope dev set: what people say to an assistant that is not a stock, sale or AGV command — other tasks,
chit-chat, questions about the world, nonsense — generated from templates and fillers with a fixed seed, in
Mandarin and English. None of these templates is in the NLU training data (`nlu_data/data/nlu/chitchat.yml`);
a test checks that no generated sentence is a training example."""

from __future__ import annotations

import random
from dataclasses import dataclass

SEED = 20261130
PER_LANGUAGE = 120

_CITIES_ZH = ("北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "重庆", "南京", "厦门", "青岛")
_CITIES_EN = ("Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Chengdu", "Hangzhou", "Wuhan", "Xi'an")
_WHEN_ZH = ("明天", "后天", "下周一", "周末", "今晚", "下个月", "五一", "国庆")
_WHEN_EN = ("tomorrow", "next Monday", "this weekend", "tonight", "next month", "on Friday")
_PEOPLE_ZH = ("我妈", "老婆", "小李", "张经理", "客服", "房东", "同学", "老板")
_PEOPLE_EN = ("my wife", "the landlord", "my boss", "customer service", "my brother", "the bank")

_TEMPLATES_ZH = (
    "帮我订一张{when}去{city}的机票", "{when}{city}天气怎么样", "给{person}发个微信说我晚点到",
    "查一下{when}去{city}的高铁", "{city}有什么好吃的", "帮我在{city}订个酒店", "打电话给{person}",
    "{when}提醒我去银行", "我想看电影，有什么推荐", "{city}到{city2}多远", "帮我叫一辆去{city}站的车",
    "{person}的生日送什么礼物好", "今天股市怎么样", "讲一个关于{city}的故事", "你觉得{city}怎么样",
    "{when}要不要带伞", "我的工资卡丢了怎么办", "帮我写一封请假条", "翻译一下“你好”用日语怎么说",
    "三百六十五除以七是多少", "把空调开到二十六度", "关灯", "放点轻音乐", "你叫什么名字啊",
    "你是哪个公司做的", "我好累啊", "{when}有什么节日", "中午点一份{food}外卖", "{food}怎么做好吃",
    "附近哪里可以停车", "帮我查一下快递单号", "我的手机没电了", "{city}房价多少", "今年是什么年",
    "哈哈你真有意思", "呃那个什么来着", "{nonsense}", "{nonsense}{nonsense}",
)
_TEMPLATES_EN = (
    "book me a flight to {city} {when}", "what's the weather like in {city} {when}", "text {person} that I'm late",
    "find me a hotel in {city}", "call {person}", "remind me {when} to pay the rent", "play some jazz",
    "turn off the lights", "what's the capital of France", "how far is {city} from {city2}",
    "order a {food} for lunch", "recommend a restaurant in {city}", "tell me a story about {city}",
    "how do I cook {food}", "what's your favourite colour", "are you married", "I lost my phone",
    "write a leave request for {when}", "what's 17 times 23", "how's the stock market today",
    "where can I park around here", "track my parcel", "who made you", "I'm so tired", "{nonsense_en}",
    "what holidays are there {when}", "is it going to rain {when}", "set the air conditioning to 26 degrees",
)
_FOOD_ZH = ("牛肉面", "披萨", "饺子", "麻辣烫", "炒饭", "汉堡")
_FOOD_EN = ("pizza", "burger", "noodle soup", "fried rice", "dumplings")
# Characters for nonsense: common ones that are in no name, unit or command word of the demo world.
_NONSENSE_CHARS = "啊哦嗯呢吧吗哈嘿呀咦哇唉嗨嘻嘟噜叭咕啦喵汪"
_LETTERS = "qwxzjkvbpy"


@dataclass(frozen=True, slots=True)
class ScopeCase:
    id: str
    lang: str
    text: str


def generate(seed: int = SEED, per_language: int = PER_LANGUAGE) -> tuple[ScopeCase, ...]:
    """`per_language` distinct out-of-scope sentences per language, the same every time."""
    rng = random.Random(seed)
    out: list[ScopeCase] = []
    for lang, templates in (("zh", _TEMPLATES_ZH), ("en", _TEMPLATES_EN)):
        seen: set[str] = set()
        tries = 0
        while len(seen) < per_language and tries < per_language * 50:
            tries += 1
            text = _fill(rng.choice(templates), lang, rng)
            if text not in seen:
                seen.add(text)
                out.append(ScopeCase(f"oos-{lang}-{len(seen):03d}", lang, text))
    return tuple(out)


def _fill(template: str, lang: str, rng: random.Random) -> str:
    cities = _CITIES_ZH if lang == "zh" else _CITIES_EN
    city, city2 = rng.sample(cities, 2)
    return template.format(
        city=city, city2=city2, when=rng.choice(_WHEN_ZH if lang == "zh" else _WHEN_EN),
        person=rng.choice(_PEOPLE_ZH if lang == "zh" else _PEOPLE_EN),
        food=rng.choice(_FOOD_ZH if lang == "zh" else _FOOD_EN),
        nonsense="".join(rng.choice(_NONSENSE_CHARS) for _ in range(rng.randint(2, 5))),
        nonsense_en=" ".join("".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 6)))
                             for _ in range(rng.randint(1, 3))),
    ).strip()
