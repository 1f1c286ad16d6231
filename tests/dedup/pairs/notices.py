"""Template notices: the hard negatives of near-duplicate detection. Government and
association sites publish the same notice every week or month with other numbers, dates,
names and places; two such notices share almost every word and are different news.

Each language has two templates, one short and one of a full paragraph, and four values
for each slot to fill them with. ``notices`` fills a template with
values that differ from a base notice in one slot, in two, or in all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    text: str
    slots: dict[str, tuple[str, ...]]


_ORG = "org"

TEMPLATES: dict[str, tuple[Template, Template]] = {
    "en": (
        Template(
            "The {n}th working meeting of the {org} was held in {city} on {date}. "
            "Representatives of member governments reviewed the progress of joint projects "
            "and agreed on the agenda of the next session.",
            {
                "n": ("11", "25", "12", "31"),
                "org": (
                    "Committee on Economy and Trade", "Committee on Environment",
                    "Committee on Disaster Prevention", "Committee on Tourism",
                ),
                "city": ("Pohang", "Vladivostok", "Toyama", "Changchun"),
                "date": ("12 May 2025", "3 June 2025", "18 September 2024", "2 April 2025"),
            },
        ),
        Template(
            "Notice of public consultation No. {n}. The Department of {org} of {city} invites "
            "residents, companies and civic groups to comment on the draft plan published on "
            "{date}. Comments may be sent by post or by e-mail within thirty days of "
            "publication. The draft plan, its annexes and the summary of the environmental "
            "assessment can be consulted at the service centre of the city hall on working "
            "days from nine in the morning to six in the evening. All comments received will "
            "be published together with the response of the department.",
            {
                "n": ("2025-14", "2025-31", "2024-52", "2025-07"),
                "org": ("Transport", "Urban Planning", "Water Resources", "Culture"),
                "city": ("Niigata", "Khabarovsk", "Busan", "Harbin"),
                "date": ("4 March 2025", "21 July 2025", "30 November 2024", "9 January 2025"),
            },
        ),
    ),
    "zh": (
        Template(
            "东北亚地区地方政府联合会{org}第{n}次工作会议于{date}在{city}举行。"
            "各成员政府代表审议了合作项目进展情况，并商定了下次会议议程。",
            {
                "n": ("十一", "二十五", "十二", "三十一"),
                "org": ("经济通商分委员会", "环境分委员会", "防灾分委员会", "旅游分委员会"),
                "city": ("浦项", "符拉迪沃斯托克", "富山", "长春"),
                "date": ("2025年5月12日", "2025年6月3日", "2024年9月18日", "2025年4月2日"),
            },
        ),
        Template(
            "关于征求意见的公告（第{n}号）。{city}{org}局于{date}公布了规划草案，现面向社会"
            "公开征求意见。市民、企业和社会团体可在公布之日起三十日内通过信函或电子邮件"
            "提出意见和建议。规划草案及其附件、环境影响评价摘要可于工作日上午九时至下午六时"
            "在市政府服务中心查阅。收到的意见将与该局的答复一并公布。",
            {
                "n": ("2025-14", "2025-31", "2024-52", "2025-07"),
                "org": ("交通", "城市规划", "水利", "文化"),
                "city": ("新潟", "哈巴罗夫斯克", "釜山", "哈尔滨"),
                "date": ("2025年3月4日", "2025年7月21日", "2024年11月30日", "2025年1月9日"),
            },
        ),
    ),
    "ja": (
        Template(
            "北東アジア地域自治体連合{org}の第{n}回実務会議が{date}、{city}で開催されました。"
            "会員自治体の代表は共同事業の進捗を確認し、次回会議の議題について合意しました。",
            {
                "n": ("11", "25", "12", "31"),
                "org": (
                    "経済・通商分科委員会", "環境分科委員会", "防災分科委員会", "観光分科委員会",
                ),
                "city": ("浦項市", "ウラジオストク市", "富山市", "長春市"),
                "date": ("2025年5月12日", "2025年6月3日", "2024年9月18日", "2025年4月2日"),
            },
        ),
        Template(
            "パブリックコメント第{n}号のお知らせ。{city}{org}部は{date}に公表した計画案に"
            "ついて、市民、企業及び市民団体の皆様からご意見を募集します。ご意見は公表日から"
            "三十日以内に郵送または電子メールでお寄せください。計画案、附属資料及び環境影響"
            "評価の概要は、平日の午前九時から午後六時まで市役所サービスセンターで閲覧できます。"
            "お寄せいただいたご意見は、同部の考え方とあわせて公表します。",
            {
                "n": ("2025-14", "2025-31", "2024-52", "2025-07"),
                "org": ("交通", "都市計画", "水資源", "文化"),
                "city": ("新潟市", "ハバロフスク市", "釜山市", "ハルビン市"),
                "date": ("2025年3月4日", "2025年7月21日", "2024年11月30日", "2025年1月9日"),
            },
        ),
    ),
    "ko": (
        Template(
            "동북아시아지역자치단체연합 {org} 제{n}차 실무회의가 {date} {city}에서 열렸다. "
            "회원 자치단체 대표들은 공동사업 추진 현황을 점검하고 다음 회의 안건에 합의했다.",
            {
                "n": ("11", "25", "12", "31"),
                "org": ("경제통상분과위원회", "환경분과위원회", "방재분과위원회", "관광분과위원회"),
                "city": ("포항", "블라디보스토크", "도야마", "창춘"),
                "date": ("2025년 5월 12일", "2025년 6월 3일", "2024년 9월 18일", "2025년 4월 2일"),
            },
        ),
        Template(
            "의견수렴 공고 제{n}호. {city} {org}국은 {date} 공개한 계획안에 대해 시민, 기업 및 "
            "시민단체의 의견을 듣고자 합니다. 의견은 공고일로부터 30일 이내에 우편 또는 "
            "전자우편으로 제출할 수 있습니다. 계획안과 부속서류, 환경영향평가 요약서는 평일 "
            "오전 9시부터 오후 6시까지 시청 민원센터에서 열람할 수 있습니다. 접수된 의견은 "
            "해당 국의 검토 결과와 함께 공개합니다.",
            {
                "n": ("2025-14", "2025-31", "2024-52", "2025-07"),
                "org": ("교통", "도시계획", "수자원", "문화"),
                "city": ("니가타시", "하바롭스크시", "부산시", "하얼빈시"),
                "date": ("2025년 3월 4일", "2025년 7월 21일", "2024년 11월 30일", "2025년 1월 9일"),
            },
        ),
    ),
    "ru": (
        Template(
            "{n}-е рабочее совещание {org} Ассоциации региональных администраций стран "
            "Северо-Восточной Азии состоялось {date} в {city}. Представители "
            "администраций-членов рассмотрели ход совместных проектов и согласовали повестку "
            "следующего заседания.",
            {
                "n": ("11", "25", "12", "31"),
                "org": (
                    "Комитета по экономике и торговле", "Комитета по экологии",
                    "Комитета по предупреждению бедствий", "Комитета по туризму",
                ),
                "city": ("Пхохане", "Владивостоке", "Тояме", "Чанчуне"),
                "date": ("12 мая 2025 года", "3 июня 2025 года", "18 сентября 2024 года",
                         "2 апреля 2025 года"),
            },
        ),
        Template(
            "Извещение о публичных обсуждениях № {n}. Департамент {org} города {city} "
            "приглашает жителей, предприятия и общественные организации высказать замечания "
            "по проекту плана, опубликованному {date}. Замечания можно направить почтой или "
            "по электронной почте в течение тридцати дней со дня публикации. С проектом "
            "плана, приложениями к нему и резюме экологической оценки можно ознакомиться в "
            "центре обслуживания мэрии по рабочим дням с девяти до восемнадцати часов. Все "
            "поступившие замечания будут опубликованы вместе с ответом департамента.",
            {
                "n": ("2025-14", "2025-31", "2024-52", "2025-07"),
                "org": ("транспорта", "градостроительства", "водных ресурсов", "культуры"),
                "city": ("Ниигаты", "Хабаровска", "Пусана", "Харбина"),
                "date": ("4 марта 2025 года", "21 июля 2025 года", "30 ноября 2024 года",
                         "9 января 2025 года"),
            },
        ),
    ),
}  # fmt: skip


def fill(template: Template, choice: dict[str, int]) -> str:
    return template.text.format(**{slot: template.slots[slot][choice[slot]] for slot in choice})


def notices(template: Template) -> Iterator[tuple[int, str, str, str]]:
    """(base, note, base notice, other notice) for other notices that differ from a base in
    each single slot, in two slots, and in every slot; with four bases."""
    slots = list(template.slots)
    for base in range(4):
        chosen = {slot: base for slot in slots}
        variants: list[tuple[str, dict[str, int]]] = []
        for slot in slots:
            variants.append((slot, chosen | {slot: (base + 1) % 4}))
        variants.append(("n+date", chosen | {"n": (base + 2) % 4, "date": (base + 2) % 4}))
        variants.append(("all", {slot: (base + 3) % 4 for slot in slots}))
        for note, other in variants:
            yield base, f"base{base}/{note}", fill(template, chosen), fill(template, other)
