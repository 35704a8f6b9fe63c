"""What the worker who asked and the site's supervisors are told about an AGV working on a transfer."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "fleet-arrived-pick": ("{serial} 已到达{location}，正在取货", "{serial} is at {location}, picking up"),
    "fleet-arrived-drop": ("{serial} 已到达{location}，正在卸货", "{serial} is at {location}, dropping off"),
    "fleet-picked": ("{serial} 已取货，正在送往目的地", "{serial} has the goods and is on its way"),
    "fleet-dropped": ("{serial} 已送达{location}，调拨单{doc}完成",
                      "{serial} delivered to {location}; transfer {doc} is done"),
    # a transfer back to waiting, by reason: nothing is lost, and the text says where the goods are
    "fleet-waiting-no_agv": ("暂无可用小车，调拨单{doc}正在排队等待。",
                             "No AGV is available; transfer {doc} is waiting for one."),
    "fleet-waiting-agv_offline": ("小车{serial}已离线，调拨单{doc}改为等待。{where}",
                                  "{serial} went offline; transfer {doc} is waiting again. {where}"),
    "fleet-waiting-agv_error": ("小车{serial}报告故障{detail}，调拨单{doc}改为等待。{where}",
                                "{serial} reported an error{detail}; transfer {doc} is waiting again. {where}"),
    "fleet-error-detail": ("（{detail}）", " ({detail})"),
    "fleet-goods-on-agv": ("货物在小车{serial}上，请主管到场处理。",
                           "The goods are on {serial}; a supervisor should check."),
    "fleet-goods-at-source": ("货物仍在原货位，库存未变动。", "The goods are still at the source; no stock was moved."),
    # why an AGV cannot take a confirmed transfer (the transfer stands; it is moved by hand)
    "agv-reason-no-map": ("本场地没有地图", "this site has no map"),
    "agv-reason-not-on-map": ("{location}不在地图上", "{location} is not on the map"),
    "agv-reason-unreachable": ("地图上没有通往目的地的路线", "no path to the destination on the map"),
    "agv-reason-not-dispatchable": ("调拨单状态不允许派车", "the transfer's status does not allow it"),
    "agv-reason-not-a-transfer": ("{doc}不是调拨单", "{doc} is not a transfer"),
    "agv-reason-unknown-node": ("地图上没有节点{node}", "node {node} is not on the map"),
    "agv-reason-other": ("调度出错", "the dispatch failed"),
}
