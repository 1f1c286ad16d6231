"""Language-independent hints: tag sets, class/id hints and boilerplate line patterns.

Everything here is general (no site names). Hints cover English, Chinese, Japanese,
Korean, Russian and Mongolian sites, which often use romanised or abbreviated class names
(``gnb``, ``lnb``, ``bbs``, ``sub_con``).
"""

from __future__ import annotations

import re

# Elements that never hold article text: removed wherever they are.
DROP_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "video",
    "audio",
    "map",
    "button",
    "select",
    "input",
    "textarea",
    "rt",  # ruby readings (furigana) and their fallback parentheses are not the text
    "rp",
)

# Elements that are chrome by construction, removed unless they hold most of the page
# (sites wrap whole articles in <header> or <aside>).
CHROME_TAGS = "nav,aside,footer,header,dialog,menu,figcaption,figure"

# Attribute selectors for chrome declared by roles or hidden by the page itself.
DROP_SELECTOR = (
    "[role=navigation],[role=banner],[role=contentinfo],[role=complementary],"
    "[role=search],[role=menu],[role=menubar],[role=dialog],[role=alertdialog],"
    "[hidden],[aria-hidden=true],[style*='display:none'],[style*='display: none'],"
    "[style*='visibility:hidden'],[itemprop=author]"
)

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)

# class/id hints. Matched against "class id" lowercased; a hint starts a word.
NEGATIVE_HINT = re.compile(
    r"(?<![a-z0-9])(?:"
    r"breadcrumb|bread-crumb|crumbs?(?![a-z])|location(?![a-z])|path(?![a-z])|"
    r"share|sharing|social|addthis|shareaholic|"
    r"comment|disqus|reply|replies|respond|"
    r"related|recommend|suggest|more-?(?:stories|news|articles)|read-?more|read-?also|"
    r"most-?(?:read|popular|viewed)|popular|trending|outbrain|taboola|teaser|"
    r"side-?bar|sidebar|sidenav|"
    r"banner|cookie|consent|gdpr|newsletter|subscri|signup|promo|advert|sponsor|"
    r"copyright|footer|header(?![a-z])|masthead|addr(?:ess)?(?![a-z])|"
    r"menu|nav|skip|quick|"
    r"print|toolbar|tools(?![a-z])|util|"
    r"attach|files?(?![a-z])|download|"
    # "tag-<slug>" and "category-<slug>" are WordPress taxonomy classes on the article itself
    r"tags?(?![a-z-])|tags-|tag-?(?:list|cloud|links?)(?![a-z])|keywords?(?![a-z])|"
    r"pagination|pager|paging|prev|next|"
    r"popup|modal|overlay|"
    r"byline|author|writer|caption|credit|meta(?![a-z])|date(?![a-z])|"
    r"login|search|lang(?:uage)?-?(?:select|switch)|"
    r"visually-?hidden|sr-only|screen-?reader|"
    # short abbreviations only as whole words: sns, gnb (global nav), ads, foot ...
    r"(?<!non-)(?<!no-)(?:sns|gnb|lnb|snb|tnb|ads?|adv|dfp|ftr|foot|rss|blind|copy)(?![a-z0-9])|"
    r"(?<!non-)(?<!no-)ad-|"
    # whole class names only: "bottom" is chrome, "margin-bottom" is a utility class
    r"(?<![\w-])bottom(?![\w-])"
    r")"
)

# Readers' comments under an article: repeated like forum posts, but not the page's text.
COMMENT_HINT = re.compile(r"(?<![a-z])(?:comment|disqus|respond)")

# Class names that only ever mean chrome, checked per class token ("footer", "foot_area",
# "copyright", "bottom" — not "has-footer"): removed however much text they hold.
TERMINAL_HINT = re.compile(
    r"(?:^|\s)(?:footer|foot|ftr|bottom|copyright|copy|addr|address|breadcrumbs?|cookie|"
    r"gdpr|consent)(?:$|[\s_-])"
)

# What a consent or legal dialog calls itself (label, class/id or opening words), in the
# region's languages: such a dialog is never the page, whatever it holds.
LEGAL_HINT = re.compile(
    r"cookie|consent|privacy|gdpr|terms|polic|datenschutz|"
    r"隐私|隱私|个人信息|プライバシー|個人情報|개인정보|쿠키|конфиденциальн|куки"
)

# Quoted material that carries a chrome-like word ("social-media-embed") but is content.
EMBED_HINT = re.compile(r"embed|tweet|quote|instagram-media")

POSITIVE_HINT = re.compile(
    r"(?<![a-z])(?:article|content|entry|main|post|story|text|body|view|detail|blog|hentry|"
    r"news-?(?:view|detail|text|body)|bbs|board|cont(?![a-z])|con(?![a-z])|txt|description)"
)

# Paragraph-level boilerplate: lines that are chrome when found at the edges of the block.
_EDGE = [
    # skip links, breadcrumbs and "you are here"
    r"skip to|jump to|본문\s*바로\s*가기|바로\s*가기|跳转到|跳到|本文へ|перейти к",
    r"current location|you are here|当前位置|您的位置|所在位置|本页位置|當前位置|本頁位置|現在位置|"
    r"현재\s*위치|вы здесь",
    r"^home\s*(?:>|›|»|/|>>)|^首页\s*(?:>|»|/)|^홈\s*(?:>|/)|^ホーム\s*(?:>|/)|^главная\s*(?:>|/|»)",
    # share / print / font bars
    r"^(?:(?:share|tweet|e-?mail|print|save|facebook|twitter|linkedin|whatsapp|pinterest|reddit|"
    r"telegram|weibo|wechat|kakao(?:talk|story)?|line|vk)(?:\s+(?:this|article|story|page))?"
    r"[\s|/,:·•]*)+$",
    r"share (?:this|on|article)|print (?:this|page)|打印本页|关闭窗口|[【\[]打印|^打印|分享到|"
    r"列印本頁|關閉視窗|關閉窗口|"
    r"인쇄하기|글자\s*크기|공유하기|印刷する|^シェア(?:する)?$|シェアする|поделиться|распечатать|"
    r"версия для печати",
    r"reading time|min(?:ute)?s? read|阅读时间|阅读次数|浏览次数|点击数|阅读量|"
    r"瀏覽次數|點閱次數|點擊數|"
    r"조회수?\s*[:：]?\s*[\d,]+|読了|время чтения|просмотр\w*\s*[:：]?\s*[\d,]+",
    # attachments
    r"^(?:file|files|attachments?|download)\b|첨부\s*파일|^附件|添付ファイル|^вложени|^скачать",
    # prev / next
    r"^[«‹<\s]*(?:previous|next|prev)(?:\s+(?:post|article|story|page|news|item))?"
    r"(?:\s*[:：»›>]|\s*$)|이전\s*글|다음\s*글|"
    r"上一篇|下一篇|上一条|下一条|上一則|下一則|前の記事|次の記事|"
    r"^[←«‹<\s]*(?:предыдущая|следующая)\s+(?:новость|статья|запись)",
    # related / suggested
    r"^(?:related|suggested|recommended|more from|see also|read (?:more|also)|you may also)"
    r"(?:\s*[:：]|\s*$|\s+(?:articles?|stories|posts|news|content|items|links|reading|like)\b)",
    r"相关(?:新闻|文章|阅读|链接)|관련\s*(?:기사|뉴스|글)|関連(?:記事|ニュース)|читайте также|"
    r"^похожие (?:новости|статьи|материалы)|смотрите также",
    # meta lines: dates, authors, sources, tags
    r"^(?:posted|published|updated|written|author|source|tags?|category|filed under)"
    r"(?:\s*[:：]|\s+(?:on|at|by|in)\b|\s*$)|(?-i:^By\s+[A-Z])",
    r"^(?:date|writer|poster|registered|hits|views?)\s*[:：]?\s*\d|(?:hits|views)\s*[:：]?\s*[\d,]+$",
    r"^(?:发布时间|发布日期|发布者|来源|作者|编辑|责任编辑|时间|日期|标签|信息来源)\s*[:：]",
    r"^(?:작성자|작성일|등록일|등록자|출처|담당자|담당부서|기자|태그)\s*[:：]?",
    r"^(?:投稿日|更新日|掲載日|公開日|作成者|担当)\s*[:：]?",
    r"^(?:автор|источник|дата|опубликовано|теги|фото)(?![а-яё])",
    r"^(?:зохиогч|эх сурвалж|огноо|нийтэлсэн|нийтлэгдсэн|үзсэн|шошго)(?![а-яёөү])|"
    r"^\d{4} оны .{0,60}(?:нийтэлсэн|нийтлэгдсэн)",  # "2020 оны 10-р сарын 23 ... нийтэлсэн"
    # copyright / about
    r"©|copyright|all rights reserved|版权所有|版權所有|저작권|무단\s*전재|転載|"
    r"все права защищены|бүх эрх",
    r"^(?:advertisement|sponsored|about us|contact us|follow us|subscribe)\b|^광고$|^广告$",
    # back to top, font size, reporter sign-offs and bare e-mail addresses
    r"back to top|page top|ページの先頭|ページトップ|맨\s*위로|返回顶部|回到顶部|наверх|"
    r"字号|글자\s*(?:크게|작게)|文字サイズ|размер шрифта",
    r"^[가-힣]{2,4}\s*(?:기자|특파원|통신원|인턴기자)(?:\s|$)|^[(（【\[]?\s*(?:责任编辑|编辑|记者)",
    r"^[\w.+-]+@[\w-]+\.[\w.]+$|ⓒ|無断転載|禁止转载|未经授权",
    r"follow (?:us|him|her|them|me) (?:on|at)|^e-?mail \S+(?: \S+)? at |join our|click here|"
    r"tell us what you think|sign up|newsletter|(?:to|in|meet) your inbox",
    r"cookies?\b.{0,80}(?:accept|consent|polic|setting|agree)|(?:accept|use|uses) cookies",
]
EDGE_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _EDGE), re.IGNORECASE)

# Short paragraphs that are chrome wherever they appear: captions, credits, teaser labels.
INLINE_JUNK = re.compile(
    r"\((?:image|photo|picture|pictures|video|credit|source)s?(?: credit)?\s*:[^)]*\)\s*\W?$|"
    r"^(?:image|photo|slide|picture) \d+ (?:of|/) \d+$|"
    r"^(?:advert|advertisement|sponsored|ad)$|this slideshow requires javascript|"
    r"^\[(\w+)[^\]]*\].*\[/\1\]$|"  # an unrendered WordPress shortcode
    r"^(?:read more|see more|see also|related|don't miss|also read|recommended|watch|more)\s*:|"
    r"^(?:don't miss|read more|most read|trending)$|"
    r"^(?:사진|자료|그래픽|영상)\s*[=:]|^(?:图片来源|图片|图|摄影)\s*[:：]|"
    r"^(?:写真|画像)\s*[:：]|^(?:фото|видео)\s*[:：]|"
    # photo credits closing a caption: "[강원도 제공]", "[연합뉴스 자료사진]", "新华社记者 张三 摄"
    r"[\[(（][^\])）]{0,40}(?:제공|자료사진|촬영)(?:[.\s][^\])）]{0,30})?[\])）]$|"
    r"^[^。，,.]{0,30}\s摄\s*[)）]?$",
    re.IGNORECASE,
)

# A line that is only a widget (font size, print, share buttons): dropped wherever it sits.
_SIZE_WORD = (
    r"(?:[a-z]|\+|-|a\+|a-|large|medium|small|big|normal|default|大|中|小|標準|大きく|小さく|"
    r"拡大|縮小|放大|缩小|默认|默認|"
    r"크게|작게|보통|큰|작은|확대|축소|больше|меньше)"
)
WIDGET_LINE = re.compile(
    r"^[\[【(（]?\s*(?:font size|text size|fonts?|文字サイズ|文字の大きさ|字号|字號|字体|字體|"
    r"글자\s*크기|글씨\s*크기|размер шрифта|шрифт)\s*[:：]?\s*"
    r"(?:[\[(]?" + _SIZE_WORD + r"[\])]?\s*[|/·,]?\s*){1,6}[\]】)）]?"
    # the print and close buttons that often follow ("【Fonts: A+ A A- Print")
    r"(?:\s*[\[【]?\s*(?:print|close|打印|关闭|인쇄|печать)\s*[\]】]?){0,2}$|"
    # "放大字体 缩小字体", "글자 크게 / 글자 작게": size buttons named on their own
    r"^(?:[\[【(（]?\s*(?:(?:放大|缩小|縮小)字[体體号號]|글자\s*(?:크게|작게)|文字を?(?:大きく|小さく)|"
    r"(?:увеличить|уменьшить) шрифт)\s*[\]】)）]?[\s|/·,]*){1,3}$|"
    r"^(?:[\[【]?\s*(?:share|tweet|e-?mail|print|save|facebook|twitter|linkedin|whatsapp|pinterest|"
    r"reddit|telegram|weibo|wechat|kakao(?:talk|story)?|line|vk|copy link|印刷|打印|分享|"
    # print / close window / back to the list buttons of the region's public sites
    r"打印本页|关闭窗口|关闭本页|列印本頁|關閉視窗|關閉窗口|返回列表|인쇄하기|목록(?:으로)?|"
    r"一覧(?:へ|に)戻る|閉じる|关闭|關閉|收藏|我要纠错|扫一扫在手机(?:上)?打开当前页|"
    # share buttons named in the region's languages
    r"페이스북|트위터|카카오(?:톡|스토리)|스크랩|(?:URL|주소|링크)\s*복사|LINEで送る|はてなブックマーク|"
    r"ポスト|вконтакте|одноклассники|телеграм|хуваалцах|"
    r"인쇄|공유|シェア|ツイート|печать|поделиться)(?:\s+(?:this|article|story|page))?"
    r"\s*[\]】]?[\s|/,:·•]*){1,12}$",
    re.IGNORECASE,
)

# A label that introduces a list of links inside the article ("DON'T MISS", "相关链接").
TEASER_LABEL = re.compile(
    r"^(?:don't miss|read more|see more|more|related(?: \w+)?|recommended|most read|trending|"
    r"you may also like|also read|相关(?:新闻|文章|阅读|链接)|推荐阅读|관련\s*(?:기사|뉴스)|"
    r"関連(?:記事|リンク)|читайте также|смотрите также)\s*[:：]?$",
    re.IGNORECASE,
)

# A short paragraph that starts a tail of teasers: everything from it on is dropped.
TAIL_MARKER = re.compile(
    r"^(?:related(?: (?:articles|stories|posts|news|content|items))?|suggested items|"
    r"suggested (?:articles|reading)|recommended(?: for you| articles| stories)?|"
    r"read (?:more|also|next)|see also|more (?:stories|news|articles) from|you may also like|"
    r"you might also like|also read|more on this|trending|most popular|most read|"
    r"相关(?:新闻|文章|阅读|链接)|推荐阅读|延伸阅读|관련\s*(?:기사|뉴스|글)|"
    r"関連(?:記事|ニュース|リンク)|читайте также|смотрите также|похожие (?:новости|статьи)|"
    r"другие новости|самые популярные(?: \w+)?|популярные (?:статьи|новости|материалы)|"
    r"отзывы|добавить (?:отзыв|комментарий)|холбоотой мэдээ|comments?|leave a (?:reply|comment)|"
    r"댓글|评论|コメント|комментарии|"
    # the contact and feedback boxes under a Japanese or Korean public page
    r"このページ(?:に関する|への)お(?:問い合わせ|問合せ)(?:先)?|このページの(?:作成所属|情報発信元)|"
    r"이 페이지에 대한 문의|(?:페이지|콘텐츠) 만족도(?: 조사| 평가)?|"
    r"сэтгэгдэл(?: бичих| үлдээх)?)(?:\s*[(（]\d+[)）])?\s*[:：]?$",
    re.IGNORECASE,
)

# Bare dates and times ("2023-12-13 10:20", "2025年8月26日"), counted as meta lines.
DATE_ONLY = re.compile(
    r"^[\s\W]*(?:\d{4}[-./年]\s*\d{1,2}[-./月]\s*\d{1,2}日?|\d{1,2}[-./]\d{1,2}[-./]\d{4})"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?[\s\W]*$"
)

# Sentence-ending punctuation in many scripts.
SENTENCE_END = frozenset(".!?。！？…」』”\"')）」:：")
COMMA_CHARS = ",，、。;；"
COMMAS = re.compile(f"[{COMMA_CHARS}]")
