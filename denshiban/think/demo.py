"""The demo paper's Think!: eight invented experts and their comments on the demo articles.

Everything here is our own writing about the invented events of the demo articles. Safe to
run any number of times: experts are found by slug, a comment by its expert and article.
The demo account expert@example.jp signs in as 佐久間玲子; the other experts have no account.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from denshiban.newsroom.models import ArticlePage

from .models import Comment, Expert, HelpfulMark
from .services import link_expert_user

ARTICLE_SLUG_PREFIX = "demo-"
EXPERT_ACCOUNT_EMAIL = "expert@example.jp"
# Demo readers who mark comments 参考になった, so the two sort orders differ.
HELPFUL_READERS = ("free@example.jp", "paid@example.jp", "trial@example.jp", "lapsed@example.jp")

EXPERTS = [
    {
        "slug": "sakuma-reiko",
        "name": "佐久間玲子",
        "title": "経済学者",
        "affiliation": "東都大学 経済学部 教授",
        "expertise": "金融政策、物価、賃金",
        "biography": "中央銀行の調査部門で景気と物価の分析に携わった後、大学へ。"
        "家計の調査データから物価と賃金の関係を読み解く研究を続けている。"
        "政府の統計委員会の委員も務める。",
        "account": EXPERT_ACCOUNT_EMAIL,
    },
    {
        "slug": "oe-makoto",
        "name": "大江誠",
        "title": "元外交官",
        "affiliation": "国際政策研究機構 上席研究員",
        "expertise": "外交・安全保障、日米関係、東南アジア",
        "biography": "外務省で北米局や東南アジアの大使館に勤務し、同盟の実務と地域の海洋安全保障を"
        "担当した。退官後は安全保障政策と地域秩序の研究に取り組んでいる。",
    },
    {
        "slug": "hayama-takuma",
        "name": "葉山拓真",
        "title": "半導体エンジニア",
        "affiliation": "テクノロジー・アドバイザー(元電機メーカー開発本部長)",
        "expertise": "半導体、AI、サイバーセキュリティ",
        "biography": "メモリーと車載半導体の開発に25年携わり、工場の立ち上げを3度経験した。"
        "現在は製造業のデジタル化とセキュリティ対策を企業に助言している。",
    },
    {
        "slug": "miura-shiho",
        "name": "三浦志保",
        "title": "市場ストラテジスト",
        "affiliation": "あさぎ証券 チーフストラテジスト",
        "expertise": "株式、為替、債券、資産運用",
        "biography": "運用会社で日本株ファンドの運用を担当した後、現職。相場の見通しを"
        "分かりやすく伝えることを心がけ、個人投資家向けの勉強会を各地で開いている。",
    },
    {
        "slug": "todo-ken",
        "name": "藤堂健",
        "title": "経営コンサルタント",
        "affiliation": "藤堂経営研究所 代表",
        "expertise": "企業戦略、M&A、コーポレートガバナンス",
        "biography": "総合商社で海外投資と事業再編を担当し、独立。中堅企業の経営改革を支援し、"
        "複数の上場企業で社外取締役を務める。",
    },
    {
        "slug": "kawashima-yuki",
        "name": "川島由紀",
        "title": "社会学者",
        "affiliation": "北陵大学 地域創生学部 教授",
        "expertise": "人口減少、地域交通、教育",
        "biography": "過疎地域の暮らしと公共サービスの維持を、現地に通いながら調べている。"
        "自治体の交通計画や教育政策の審議会で委員を務める。",
    },
    {
        "slug": "marta-kowalska",
        "name": "マルタ・コヴァルスカ",
        "title": "エネルギー政策研究者",
        "affiliation": "欧州エネルギー研究センター 客員研究員",
        "expertise": "エネルギー転換、EU経済、気候政策",
        "biography": "ワルシャワ生まれ。ブリュッセルの研究機関で電力市場と炭素価格を研究し、"
        "現在は東京を拠点に日本と欧州のエネルギー政策を比べている。",
    },
    {
        "slug": "onodera-satoshi",
        "name": "小野寺聡",
        "title": "医師・医療政策研究者",
        "affiliation": "湾岸医療政策研究所 所長",
        "expertise": "地域医療、医療制度、医薬品産業",
        "biography": "救急医として15年勤務した後、医療政策の研究に転じた。"
        "医師の働き方と、地方で医療を続けるための仕組みを主なテーマとする。",
    },
]

# article key → [(expert slug, kind, text, url)]
COMMENTS: dict[str, list[tuple[str, str, str, str]]] = {
    "politics-001": [
        (
            "sakuma-reiko",
            "analysis",
            "補正予算の規模そのものより、中身の時限性に注目したい。物価高対策として配る給付や補助は、"
            "終わらせ方を最初に決めておかないと恒常的な支出に変わりやすい。審議では、いつ、"
            "どの指標を見て打ち切るのかを政府に具体的に問うてほしい。",
            "",
        ),
    ],
    "politics-002": [
        (
            "oe-makoto",
            "analysis",
            "増額分の多くが装備品の値上がりと円安で消えているという指摘は重い。金額の大きさで"
            "抑止力を測る議論から、何をいつまでにそろえるのかという中身の議論に移る必要がある。"
            "同盟国との共同開発や共同調達で単価を下げる工夫も、予算要求と同じ熱量で語られるべきだ。",
            "",
        ),
        (
            "sakuma-reiko",
            "viewpoint",
            "防衛費の財源の議論が後回しになっている点が気になる。国債の利払い費はすでに増え始めており、"
            "金利が上がる局面で恒常的な歳出を借金でまかなう余地は小さい。安全保障と財政の持続性を"
            "同時に説明できる計画が求められる。",
            "",
        ),
    ],
    "politics-003": [
        (
            "oe-makoto",
            "brief",
            "南西諸島での共同訓練の拡大は、有事の抑止だけでなく、災害時の輸送や医療支援の練度を"
            "上げる意味もある。地元の理解を得るには、訓練の目的と日程をできるだけ早く、"
            "具体的に示し続けることが欠かせない。",
            "",
        ),
    ],
    "politics-004": [
        (
            "kawashima-yuki",
            "viewpoint",
            "支持率の数字だけで解散の是非が語られがちだが、地方では物価高に加えて交通や医療の縮小が"
            "暮らしを直撃している。選挙の時期よりも、そうした不安に各党がどんな処方箋を出すのかを"
            "有権者は見ている。",
            "",
        ),
    ],
    "politics-006": [
        (
            "oe-makoto",
            "analysis",
            "東南アジアの国々が求めているのは、巡視船の供与だけでなく、それを動かす人材の育成と"
            "整備の仕組みだ。供与した船が十分に稼働していない例もある。引き渡した後の10年を"
            "見据えた支援の設計が、信頼を積み重ねる近道になる。",
            "",
        ),
    ],
    "politics-008": [
        (
            "todo-ken",
            "viewpoint",
            "受け入れ上限を分野ごとに決めるなら、その数字の根拠を毎年見直す仕組みが欠かせない。"
            "人手不足の度合いは地域と業種で大きく異なる。企業の側も、外国人材を穴埋めの人数と"
            "考えるのではなく、長く働けるキャリアの道筋を示せるかが問われる。",
            "",
        ),
        (
            "kawashima-yuki",
            "brief",
            "地方の介護や農業の現場では、すでに外国人の働き手なしには回らないところが多い。"
            "受け入れの人数と同じくらい、日本語教育や住まいの確保を自治体任せにしないことが大切だ。",
            "",
        ),
    ],
    "politics-009": [
        (
            "sakuma-reiko",
            "brief",
            "「賃上げの流れを止めない」という目標に異論は少ないが、問題は中小企業の価格転嫁が"
            "どこまで進むかだ。取引の適正化をどう実効あるものにするのか、討論ではもう一歩"
            "踏み込んだやり取りを聞きたかった。",
            "",
        ),
    ],
    "economy-001": [
        (
            "sakuma-reiko",
            "analysis",
            "ボーナスの減少は、企業収益の伸び悩みが家計に届くまでの時間差を示している。基本給の"
            "引き上げが続く一方、業績に連動する部分は景気に敏感だ。年末の消費が弱含めば、"
            "来年の春闘に向けた企業の姿勢にも影響しかねない。",
            "",
        ),
    ],
    "economy-002": [
        (
            "sakuma-reiko",
            "analysis",
            "日銀が見ている二つの物価、つまり輸入品が押し上げる物価と、賃金が押し上げるサービスの"
            "物価は、政策上の意味がまったく違う。前者は時間がたてば落ち着くが、後者が根付くか"
            "どうかが次の利上げを左右する。サービス価格の広がりを示すデータを丁寧に追いたい。",
            "https://www.example.jp/research/service-prices",
        ),
        (
            "miura-shiho",
            "viewpoint",
            "市場の目線では、日銀の説明の分かりやすさそのものが金利の振れを抑える道具になっている。"
            "次の一手の時期をにおわせすぎても、黙りすぎても相場は荒れる。会合後の記者会見で、"
            "判断材料をどこまで具体的に示すかに注目している。",
            "",
        ),
    ],
    "economy-003": [
        (
            "sakuma-reiko",
            "brief",
            "4.2兆円の物価高対策のうち、エネルギー補助の比重が大きい。補助は値上がりの痛みを"
            "和らげる一方、省エネへの動機を弱める副作用もある。所得の低い世帯に的を絞った支援へ"
            "少しずつ移していく道筋が見えるとよい。",
            "",
        ),
    ],
    "economy-004": [
        (
            "sakuma-reiko",
            "brief",
            "伸び率の縮小は歓迎できるが、中身を見ると食料の値上がりはまだ続いている。家計が"
            "実感する物価は、平均の数字より食品や日用品の動きに左右される。縮小が続くかどうか、"
            "年明けの値上げの動きを見極めたい。",
            "",
        ),
        (
            "miura-shiho",
            "brief",
            "市場は物価の鈍化を日銀の利上げが遠のく材料として受け止めがちだが、サービス価格は"
            "粘り強い。この数字だけで12月の判断を占うのは早計だと考える。",
            "",
        ),
    ],
    "economy-005": [
        (
            "miura-shiho",
            "analysis",
            "審議委員の発言を受けて、短期金利の先物は利上げをかなり織り込んだ。織り込みが進んだ"
            "状態で見送れば、かえって円安を招くおそれもある。日銀にとっては、市場との対話で"
            "期待を作りすぎないことが難しい局面だ。",
            "",
        ),
    ],
    "economy-006": [
        (
            "sakuma-reiko",
            "analysis",
            "4カ月ぶりのマイナスはボーナスの減少が主因で、所定内給与は堅調に伸びている。実質賃金を"
            "安定してプラスにするには、賃上げが続くことに加え、食料品の値上がりが落ち着く必要が"
            "ある。単月の数字より、基本給の伸びと物価の差に注目すべきだ。",
            "",
        ),
        (
            "kawashima-yuki",
            "viewpoint",
            "平均の実質賃金では見えにくいが、パートで働く人や年金で暮らす高齢者の家計は、物価の"
            "影響をより強く受ける。地方の食料品店の値札を見ていると、統計以上の負担感がある。",
            "",
        ),
    ],
    "economy-007": [
        (
            "todo-ken",
            "viewpoint",
            "中小企業に6%を目安として示す意味は大きいが、原資がなければ賃上げは続かない。大企業が"
            "取引先の労務費の上昇を価格に反映させることを、調達方針として明文化する動きが"
            "広がるかどうかが鍵になる。",
            "",
        ),
        (
            "sakuma-reiko",
            "brief",
            "3年続けて5%前後の賃上げが実現すれば、物価と賃金がともに緩やかに上がる経済への移行が"
            "現実味を帯びる。そのためにも、生産性を上げる投資とセットで議論してほしい。",
            "",
        ),
    ],
    "economy-008": [
        (
            "sakuma-reiko",
            "analysis",
            "金利が上がると利払い費が数年かけて大きく膨らむのは、国債が満期を迎えるたびに高い金利で"
            "借り換えるためだ。すぐに財政が行き詰まるわけではないが、政策の余地は確実に狭まる。"
            "試算の前提となる金利と成長率を複数示し、幅をもって議論することが大切だ。",
            "",
        ),
    ],
    "economy-009": [
        (
            "kawashima-yuki",
            "analysis",
            "消費額が過去最高でも、その多くは大都市と一部の観光地に集中している。地方に客を呼ぶには、"
            "駅や空港から先の交通の不足がいちばんの壁だ。バスの減便が続く地域では、観光客と住民の"
            "足を一体で維持する工夫が欠かせない。",
            "",
        ),
    ],
    "international-001": [
        (
            "miura-shiho",
            "brief",
            "ネット販売の好調は、消費者が価格比較をより徹底していることの裏返しでもある。関税による"
            "値上げが実店舗の客足を鈍らせているなら、年明けの小売り各社の業績見通しは慎重に"
            "見ておきたい。",
            "",
        ),
    ],
    "international-002": [
        (
            "hayama-takuma",
            "analysis",
            "一部緩和で当面の供給不安は和らぐが、輸出管理という蛇口を相手が握っている構図は"
            "変わらない。磁石や研磨材の現場では、代替材料の開発とリサイクルに地道に取り組む企業ほど"
            "交渉力を持てる。調達先の分散と技術開発は同時に進めるべきだ。",
            "",
        ),
        (
            "oe-makoto",
            "viewpoint",
            "輸出管理の緩和は、経済的な圧力の手段を手放したという意味ではない。相手の都合で締めたり"
            "緩めたりできる状態そのものが外交上の圧力になる。考えの近い国々と備蓄や共同調達の"
            "枠組みを作ることが備えになる。",
            "",
        ),
    ],
    "international-003": [
        (
            "marta-kowalska",
            "analysis",
            "欧州が最低価格で折り合いを探るのは、関税で域内の自動車産業を守りつつ、報復で電池材料の"
            "調達が滞る事態を避けたいからだ。ただ、最低価格は消費者にとっては値上げでもある。"
            "EVの普及目標との両立をどう説明するかが欧州委員会の課題になる。",
            "",
        ),
    ],
    "international-005": [
        (
            "todo-ken",
            "analysis",
            "派生品への対象拡大は、完成品に近い部品ほど関税がかかる仕組みで、鋼材メーカーだけでなく"
            "加工業者の採算も直撃する。米国での現地生産を増やすか、付加価値の高い品種に絞って"
            "価格転嫁するか、各社の選択が分かれそうだ。",
            "",
        ),
    ],
    "international-006": [
        (
            "kawashima-yuki",
            "viewpoint",
            "若者が大都市を離れて故郷に戻る動きは、日本の地方移住と似た面がある。違いは、受け皿と"
            "なる仕事が十分にあるかどうかだ。帰郷が前向きな選択になるか、就職難からの避難に"
            "とどまるかは、地方の産業づくりにかかっている。",
            "",
        ),
    ],
    "international-007": [
        (
            "marta-kowalska",
            "analysis",
            "ドイツでは、債務ブレーキの緩和で得た資金を防衛とインフラのどちらに多く振り向けるかで"
            "連立内の溝が深い。老朽化した鉄道や送電網への投資を先送りすれば、エネルギー転換の遅れ"
            "という形でつけが回ってくる。",
            "",
        ),
    ],
    "international-008": [
        (
            "oe-makoto",
            "brief",
            "合意の履行を確認したことで当面の緊張は和らぐが、半導体規制が平行線なのは、安全保障と"
            "通商が切り離せなくなっていることの表れだ。日本企業は米中双方の規制の変化に備え、"
            "供給網の見直しを続ける必要がある。",
            "",
        ),
        (
            "hayama-takuma",
            "viewpoint",
            "半導体の輸出規制は、装置や材料の細かな仕様にまで及ぶ。線引きが変わるたびに、装置"
            "メーカーは出荷計画を作り直している。技術者の立場から言えば、ルールの予見可能性こそが"
            "投資判断の前提になる。",
            "",
        ),
    ],
    "international-009": [
        (
            "marta-kowalska",
            "analysis",
            "適応資金の具体化は、途上国にとって交渉の最優先事項だ。堤防や早期警報の仕組みは、被害が"
            "出る前に整えてこそ効果がある。先進国は拠出額の約束だけでなく、資金が現場に届くまでの"
            "手続きを簡素にする提案を示すべきだ。",
            "https://www.example.jp/climate/adaptation-finance",
        ),
    ],
    "business-001": [
        (
            "todo-ken",
            "analysis",
            "電化需要を見込んだ銅権益の取得は理にかなうが、1500億円という価格は銅が高い局面での"
            "買い物でもある。鉱山は投資の回収までに長い時間がかかる。商社の資源事業の目利きは、"
            "市況が下がったときの耐久力で評価すべきだ。",
            "",
        ),
        (
            "marta-kowalska",
            "viewpoint",
            "銅鉱山では、水資源の確保と地域社会との合意づくりが操業を左右する。環境と人権への配慮は、"
            "欧州の投資家が資源への投資を評価するときの重要な物差しになっている。",
            "",
        ),
    ],
    "business-002": [
        (
            "kawashima-yuki",
            "viewpoint",
            "人口が減る町で店を閉じないという判断は、地域にとっては生活の基盤を守ることに等しい。"
            "ただ、それを一企業の努力に頼り続けるのは難しい。自治体との連携や移動販売との"
            "組み合わせなど、続けられる形を地域と一緒に考える必要がある。",
            "",
        ),
    ],
    "business-003": [
        (
            "todo-ken",
            "analysis",
            "米国販売の7割を現地生産にするのは関税への対応として合理的だが、国内工場の稼働率と"
            "部品メーカーへの影響は避けられない。国内を電動車や付加価値の高い車の開発・生産拠点"
            "としてどう位置づけ直すかが、次の経営課題になる。",
            "",
        ),
        (
            "hayama-takuma",
            "brief",
            "現地生産を増やすと、車載半導体や電子部品の調達も北米に寄せる必要が出てくる。部品"
            "メーカーにとっては、工場を出すか輸出を続けるかの判断を迫られる場面が増えるだろう。",
            "",
        ),
    ],
    "business-006": [
        (
            "onodera-satoshi",
            "analysis",
            "がん治療薬の候補を買収で得る動きは世界的な流れだが、臨床試験の後期で失敗する例も"
            "少なくない。2800億円の価値は、候補薬が承認に至る確率をどう見積もるかで大きく変わる。"
            "日本の患者に届くまでの時間にも注目したい。",
            "",
        ),
    ],
    "business-007": [
        (
            "marta-kowalska",
            "brief",
            "LNG船の長期契約は、脱炭素への移行期にガスが果たす役割を見込んだものだ。ただ、"
            "2040年代の需要は政策しだいで大きく変わる。将来アンモニアや水素の輸送に転用できる"
            "設計かどうかも、投資のリスクを左右する。",
            "",
        ),
    ],
    "business-008": [
        (
            "todo-ken",
            "viewpoint",
            "全現場での週休2日は、人手不足の建設業で働き手を確保するための投資だ。工期の延長を"
            "発注者に求めるのは当然で、公共工事だけでなく民間の発注者がどこまで受け入れるかが"
            "普及の分かれ目になる。",
            "",
        ),
    ],
    "business-009": [
        (
            "miura-shiho",
            "analysis",
            "再編の軸になれるかどうかは、システムの共通化でどれだけ費用を削れるかが最初の試金石だ。"
            "資本業務提携は合併よりも柔軟だが、意思決定が遅くなりがちでもある。市場は、提携の"
            "成果を数字で示せるかを見ている。",
            "",
        ),
    ],
    "markets-001": [
        (
            "miura-shiho",
            "brief",
            "最高値まで200円余りに迫ったが、上昇をけん引しているのは一部の半導体株に偏っている。"
            "相場の広がりを確かめるには、値上がりした銘柄の数や内需株の動きも合わせて見ておきたい。",
            "",
        ),
    ],
    "markets-002": [
        (
            "miura-shiho",
            "analysis",
            "日米の金利差が縮むという見方が後退したことで、円は再び売られやすくなった。輸入物価を"
            "通じた家計への影響を考えると、日銀も円安の進み方には神経質にならざるを得ない。"
            "年末にかけては、米国の雇用統計が最大の材料になりそうだ。",
            "",
        ),
        (
            "sakuma-reiko",
            "viewpoint",
            "円安は輸出企業の利益を押し上げる一方、食料やエネルギーを輸入に頼る家計の負担を重くする。"
            "為替の水準そのものより、短い期間に大きく動くことの方が企業の計画づくりを難しくする点に"
            "注意が必要だ。",
            "",
        ),
    ],
    "markets-003": [
        (
            "miura-shiho",
            "analysis",
            "長期金利が2%台に乗ったことで、住宅ローンの固定金利や企業の借り入れコストにも上昇圧力が"
            "かかる。一方で、預金や保険の利回りが改善する面もある。金利のある世界への移行を、"
            "家計の資産配分を見直す機会と捉えたい。",
            "",
        ),
    ],
    "markets-005": [
        (
            "marta-kowalska",
            "brief",
            "南米の鉱山の操業停止は一時的でも、新しい鉱山の開発には10年以上かかる。電化の進展で"
            "需要が伸び続けるなら、銅の需給の引き締まりは構造的な問題になりうる。",
            "",
        ),
    ],
    "markets-006": [
        (
            "miura-shiho",
            "viewpoint",
            "海外株への資金集中は、長期の分散投資としては理にかなうが、為替の影響を大きく受ける点は"
            "意識しておきたい。円高に振れた局面で慌てて売らないことが、積み立てを続けるうえで"
            "何より大切だ。",
            "",
        ),
    ],
    "markets-008": [
        (
            "marta-kowalska",
            "analysis",
            "原油安は輸入国の日本にとって追い風だが、産油国の増産には市場シェアを取り戻す思惑がある。"
            "価格が下がりすぎれば、再生可能エネルギーへの投資の採算を相対的に悪く見せる効果もある。",
            "",
        ),
    ],
    "technology-001": [
        (
            "hayama-takuma",
            "analysis",
            "AI向けメモリーの需要は強いが、メモリー市況は歴史的に振れ幅が大きい。1.2兆円の投資を"
            "回収するには、需要の山だけでなく谷のときにも工場を動かし続ける体力が問われる。"
            "九州では人材と水、電力の確保も同時に課題になる。",
            "",
        ),
        (
            "kawashima-yuki",
            "viewpoint",
            "大型工場の進出は地域に雇用をもたらす一方、住宅不足や渋滞、学校の受け入れなど暮らしの"
            "側に急な変化を生む。自治体は工場が動き出す前から、住民の生活への影響を見込んだ計画を"
            "立てておきたい。",
            "",
        ),
    ],
    "technology-002": [
        (
            "hayama-takuma",
            "analysis",
            "クラウド大手の自社開発チップは、特定の用途に絞って電力効率を高めている点が強みだ。"
            "汎用のGPUを置き換えるというより、使い分けが進むと見るべきだろう。日本企業にとっては、"
            "設計支援や製造装置の分野で商機が広がる。",
            "",
        ),
    ],
    "technology-003": [
        (
            "todo-ken",
            "analysis",
            "中小企業で導入が進まない最大の理由は、費用よりも何に使えばよいか分からないことにある。"
            "見積書の作成や問い合わせへの対応など、効果が見えやすい業務から小さく始め、成果を"
            "社内で共有することが定着への近道だ。",
            "",
        ),
    ],
    "technology-004": [
        (
            "hayama-takuma",
            "analysis",
            "被害が病院や物流に広がっているのは、止まると社会への影響が大きい組織ほど身代金を払うと"
            "見られているためだ。バックアップを取るだけでなく、実際に復旧できるかを定期的に訓練"
            "しておくことが、被害を小さく抑える現実的な対策になる。",
            "",
        ),
        (
            "onodera-satoshi",
            "viewpoint",
            "病院のシステムが止まると電子カルテが使えず、救急の受け入れを制限せざるを得なくなる。"
            "医療機関のセキュリティ対策は費用の問題として後回しにされがちだが、患者の安全に直結する"
            "投資として位置づける必要がある。",
            "",
        ),
    ],
    "technology-006": [
        (
            "hayama-takuma",
            "brief",
            "民間の射場からの初の軌道投入は、日本の宇宙産業にとって大きな一歩だ。次の課題は打ち上げの"
            "頻度と費用の引き下げで、量産と再使用の技術をどこまで短い期間で磨けるかが国際競争力を"
            "決める。",
            "",
        ),
    ],
    "technology-009": [
        (
            "hayama-takuma",
            "viewpoint",
            "学習データの開示を求めることは透明性を高めるが、何をどの細かさで開示するかが曖昧だと、"
            "企業の負担ばかりが増えかねない。著作権者への配慮と技術開発の両立には、具体的な事例を"
            "積み上げた指針が必要だ。",
            "",
        ),
    ],
    "technology-010": [
        (
            "hayama-takuma",
            "analysis",
            "一社の工場の停止が自動車の生産全体に波及しうるのは、部品の在庫を極力持たない生産方式の"
            "裏返しでもある。取引先を含めた供給網全体でセキュリティの水準をそろえることが、"
            "製造業の新しい課題になっている。",
            "",
        ),
    ],
    "society-001": [
        (
            "kawashima-yuki",
            "analysis",
            "運転手不足による減便は、賃金を上げれば解決するという単純な話ではない。高齢の運転手の"
            "引退が続き、担い手の数そのものが減っている。乗り合いタクシーや住民の車を使った"
            "有償運送など、地域に合った組み合わせを早く試すべきだ。",
            "",
        ),
    ],
    "society-002": [
        (
            "kawashima-yuki",
            "analysis",
            "出生数の減少は、結婚や出産を望む人が減ったというより、望んでもかなえにくい状況が"
            "続いていることを示している。若い世代の所得と住まい、働き方の安定がそろわなければ、"
            "給付を積み増しても効果は限られる。",
            "",
        ),
        (
            "sakuma-reiko",
            "viewpoint",
            "出生数の減少は、数十年先の働き手と社会保障の支え手の減少に直結する。経済の側から見れば、"
            "一人当たりの生産性を高める投資と、働きたい人が働ける環境づくりを急ぐ必要がある。",
            "",
        ),
    ],
    "society-003": [
        (
            "onodera-satoshi",
            "analysis",
            "離島の診療所と専門医をオンラインでつなぐ仕組みは、医師が常駐できない地域の医療を支える"
            "現実的な手段だ。ただ、画面越しでは触診や検査ができない。看護師や地元の医師が現場で補う"
            "体制と、通信が途切れたときの備えをセットで整える必要がある。",
            "",
        ),
    ],
    "society-005": [
        (
            "kawashima-yuki",
            "analysis",
            "中学校の部活動は地域への移行が掲げられて久しいが、受け皿となる指導者の確保が進んで"
            "いない。教員の負担を減らすには、業務の線引きを学校任せにせず、自治体が予算と人を"
            "用意することが欠かせない。",
            "",
        ),
    ],
    "society-007": [
        (
            "kawashima-yuki",
            "viewpoint",
            "人口減少を止めることだけを目標にすると、多くの地域で達成できない計画になってしまう。"
            "人口が減っても暮らしの質を保てるよう、公共施設や交通を集約し直す縮み方の設計に、"
            "もっと正面から取り組むべきだ。",
            "",
        ),
    ],
    "society-008": [
        (
            "onodera-satoshi",
            "brief",
            "大規模な災害では、けが人の治療と同じくらい、持病のある人の薬や透析を途切れさせない"
            "ことが課題になる。訓練には医療機関や薬局も加わり、避難所での服薬の支援まで確かめる"
            "場面を入れてほしい。",
            "",
        ),
    ],
    "society-009": [
        (
            "onodera-satoshi",
            "analysis",
            "医師の残業規制は働き方を守るために必要だが、地方の病院では当直を担う医師の数がもともと"
            "足りない。救急の受け入れを地域全体で分担し、軽症の患者を別の窓口に振り分ける仕組みを"
            "整えなければ、規制と医療の維持は両立しない。",
            "",
        ),
        (
            "kawashima-yuki",
            "brief",
            "救急の受け入れが制限されると、搬送先を探す時間が延び、地方の住民の不安は大きくなる。"
            "医療の問題であると同時に、その地域に住み続けられるかという問題でもある。",
            "",
        ),
    ],
}


@dataclass
class ThinkSeedSummary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)


def _ensure_expert(spec: dict, summary: ThinkSeedSummary) -> Expert:
    fields = {k: spec[k] for k in ("name", "title", "affiliation", "expertise", "biography")}
    expert = Expert.objects.filter(slug=spec["slug"]).first()
    if expert is None:
        expert = Expert.objects.create(slug=spec["slug"], **fields)
        summary.created["エキスパート"] += 1
    elif any(getattr(expert, k) != v for k, v in fields.items()):
        for name, value in fields.items():
            setattr(expert, name, value)
        expert.save()
        summary.updated["エキスパート"] += 1
    account = spec.get("account")
    if account and expert.user_id is None:
        # Only the demo accounts script makes accounts: link it if it has run.
        user = get_user_model().objects.filter(email__iexact=account).first()
        if user is not None:
            link_expert_user(expert=expert, user=user)
    return expert


# Demo comments are older than this: past their edit window, and not counted by the rate
# limit when the demo expert posts a new one.
SETTLED = timedelta(minutes=40)


def _comment_time(article: ArticlePage, index: int, now: datetime) -> datetime:
    """Some hours after the article appeared, but settled before now."""
    start = article.first_published_at or now - SETTLED
    later = start + timedelta(hours=1 + (index * 5) % 19, minutes=(index * 13) % 60)
    # Comments on the newest articles are spread over the time since, not stacked at one.
    settled = now - SETTLED - timedelta(minutes=(index * 17) % 180)
    return max(start, min(later, settled))


def _ensure_comment(
    *,
    expert: Expert,
    article: ArticlePage,
    kind: str,
    text: str,
    url: str,
    when: datetime,
    summary: ThinkSeedSummary,
) -> Comment:
    wanted = {"kind": kind, "text": text, "url": url, "created_at": when}
    comment = Comment.objects.filter(expert=expert, article=article).order_by("pk").first()
    if comment is None:
        summary.created["Think!コメント"] += 1
        return Comment.objects.create(expert=expert, article=article, **wanted)
    if any(getattr(comment, k) != v for k, v in wanted.items()):
        for name, value in wanted.items():
            setattr(comment, name, value)
        comment.save()
        summary.updated["Think!コメント"] += 1
    return comment


def _mark_helpful(comments: list[Comment], summary: ThinkSeedSummary) -> None:
    readers = list(get_user_model().objects.filter(email__in=HELPFUL_READERS).order_by("email"))
    for index, comment in enumerate(comments):
        for offset, reader in enumerate(readers):
            if (index + offset) % 3 == 0:
                continue
            _mark, created = HelpfulMark.objects.get_or_create(comment=comment, user=reader)
            if created:
                summary.created["参考になった"] += 1


@transaction.atomic
def seed_think(*, now: datetime | None = None) -> ThinkSeedSummary:
    """The experts, their comments on the demo articles that exist, and some 参考になった."""
    now = now or timezone.now()
    summary = ThinkSeedSummary()
    experts = {spec["slug"]: _ensure_expert(spec, summary) for spec in EXPERTS}
    slugs = [f"{ARTICLE_SLUG_PREFIX}{key}" for key in COMMENTS]
    articles = {a.slug: a for a in ArticlePage.objects.filter(slug__in=slugs)}
    comments = []
    index = 0
    for key, entries in COMMENTS.items():
        article = articles.get(f"{ARTICLE_SLUG_PREFIX}{key}")
        if article is None:
            continue
        for slug, kind, text, url in entries:
            comments.append(
                _ensure_comment(
                    expert=experts[slug],
                    article=article,
                    kind=kind,
                    text=text,
                    url=url,
                    when=_comment_time(article, index, now),
                    summary=summary,
                )
            )
            index += 1
    _mark_helpful(comments, summary)
    return summary
