"""A pure, seeded generator of the demo city's past hotline cases: what callers said, where, which unit concluded
it, how fast, and how satisfied the caller was.

Every category has several distinct issues, each phrased as people phrase it on the phone: greetings and fillers,
a few words of Henan speech (俺, 咋, 中不中), homophone slips of the operator's input method (反应 for 反映, 拉圾 for
垃圾), near-synonyms, and places from the city's communities. Types come in the shares of a real line (投诉 the most,
then 咨询 and 求助; 表扬 rare). Street-level (属地) matters are concluded by the street office of the caller's
community, district ones by the district government, the rest by the catalogue's unit; one case in twenty went to
a wrong unit first and came back (退单, 改派). Times fall in working hours over the half year before `until`.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from yiwang.cases.history import HistoricCase
from yiwang.core.names import SURNAME_CUMULATIVE_WEIGHTS, SURNAMES
from yiwang.demo.cases.taxonomy import CATEGORIES, Category
from yiwang.demo.cases.units import DISTRICT, STREET, catalogue_entry
from yiwang.demo.city import CITY_UNITS, DEFAULT_SEED, District, Street, districts
from yiwang.demo.vocabulary import COMPANY_BUSINESSES, SHOP_KINDS, TRADE_NAME_CHARACTERS

TIME_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
HISTORY_DAYS = 183  # about six months before `until`
LAST_RECEIVED_DAYS = 40  # the newest historic case was received this many days before `until`, so it is closed

COMPLAINT, HELP, CONSULTATION, REPORT, SUGGESTION, PRAISE = (
    "complaint",
    "help",
    "consultation",
    "report",
    "suggestion",
    "praise",
)
# Shares of the types on a city line (local statistics put 投诉 near 40 %, 咨询 and 求助 near a fifth each).
TYPE_SHARES: tuple[tuple[str, float], ...] = (
    (COMPLAINT, 0.40),
    (CONSULTATION, 0.22),
    (HELP, 0.20),
    (REPORT, 0.08),
    (SUGGESTION, 0.06),
    (PRAISE, 0.04),
)
# Working days to conclude, by type (the platform's defaults: 咨询 3, 求助 5, 投诉/举报 13).
HANDLE_DAYS = {CONSULTATION: 3, HELP: 5, COMPLAINT: 13, REPORT: 13, SUGGESTION: 13, PRAISE: 3}
_C, _H, _Q, _R, _S = COMPLAINT, HELP, CONSULTATION, REPORT, SUGGESTION


@dataclass(frozen=True)
class Issue:
    """One distinct matter of a category, as a caller tells it: its type, the operator's short title, the words."""

    case_type: str
    topic: str
    text: str


# Several distinct issues per category. Slots: {road} {road2} {place} {xiaoqu} {building} {community} {c} (the
# community's short name) {district} {since} {night} {shop} {restaurant} {company} {factory} {site} {school}
# {hospital} {bus} {money} {months} {kid} {elder}.
ISSUES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "0101": (
        (_C, "路面坑洼", "{road}{place}那段路坑坑洼洼的，下雨天全是水坑，电动车骑过去差点摔倒"),
        (_H, "井盖缺失", "{road}{place}有个井盖不见了，黑乎乎一个洞，晚上很危险，赶紧找人盖上"),
        (_C, "人行道砖松动", "{road}人行道上的地砖好多都松了，一踩就溅一身泥水"),
        (_H, "路面塌陷", "{road}靠近{place}的路面塌了一个坑，有一米多宽，车都绕着走"),
        (_C, "井盖异响", "{xiaoqu}门口马路上的井盖一过车就咣当咣当响，{night}吵得睡不着"),
        (_S, "道路破损", "{road}修了好几年了，路面到处是补丁，建议整体重新铺一下"),
    ),
    "0102": (
        (_C, "路灯不亮", "{road}{place}的路灯{since}都不亮了，晚上黑灯瞎火的，老人孩子出门很不安全"),
        (_H, "路灯损坏", "{road}有一排路灯坏了，从{place}到前面路口全是黑的"),
        (_C, "白天亮灯", "{road}上的路灯大白天也亮着，太浪费电了"),
        (_H, "路灯闪烁", "{community}门口那个路灯一闪一闪的，{since}，像是线路接触不好"),
        (_S, "缺少路灯", "{road}到{road2}那一段没有路灯，晚上走路看不清，建议安装几盏"),
        (_H, "灯杆倾斜", "{road}{place}有根灯杆被车撞歪了，斜着快倒了，怕砸着人"),
    ),
    "0103": (
        (_R, "私搭乱建", "{xiaoqu}{building}一楼住户在院子里私搭乱建，盖了一间彩钢房，占了公共绿地"),
        (_R, "楼顶加盖", "{xiaoqu}{building}顶楼有人在楼顶加盖房子，天天叮叮当当的，也不知道有没有手续"),
        (_C, "违章搭建", "我家对面邻居私自扩建，把过道都占了，违章建筑都盖到路上了"),
        (_R, "违建未拆", "{road}{place}有个违建，半年前就反映过，到现在也没拆"),
        (_Q, "违建认定", "想问一下自己家院子里搭个棚子放杂物，算不算违建，需不需要办手续"),
    ),
    "0104": (
        (_C, "流动摊贩", "{road}{place}每天早上都有一堆流动摊贩摆摊卖菜，把路都堵死了"),
        (_C, "店外经营", "{road}上的{shop}天天把桌子摆到人行道上，出店经营，行人只能走机动车道"),
        (_C, "夜市占道", "{community}门口的夜市{night}还在营业，烧烤摊占了半条马路，又吵又脏"),
        (_R, "占道经营", "{road}{place}有人长期占道卖水果，搭了棚子，城管来了就跑，走了又回来"),
        (_S, "规范摊点", "{road}附近摆摊的太多了，建议划一个固定的地方让他们集中经营"),
    ),
    "0105": (
        (_C, "垃圾未清运", "{road}{place}的垃圾桶满了{since}都没人清运，臭气熏天，苍蝇乱飞"),
        (_C, "道路不洁", "{road}这条路好几天没人扫了，树叶纸屑到处都是"),
        (_C, "公厕脏乱", "{road}{place}的公共厕所太脏了，没人打扫，味道很大，门也坏了"),
        (_H, "小广告", "{road}两边的电线杆和墙上贴满了小广告，牛皮癣到处都是，麻烦清理一下"),
        (_C, "垃圾站异味", "{xiaoqu}旁边的垃圾中转站味道太大了，夏天根本不敢开窗"),
        (_S, "增设垃圾桶", "{road}{place}人流量大，但是一个垃圾桶都没有，建议多放几个"),
    ),
    "0106": (
        (_H, "树木遮挡", "{xiaoqu}{building}前面的大树树枝长到窗户边上了，挡光还招虫子，麻烦来修剪一下"),
        (_H, "树木倒伏", "{road}{place}有棵树被风刮倒了，横在人行道上，过不去人"),
        (_C, "绿化带毁坏", "{road}的绿化带被人踩出一条路，草都死了，也没人管"),
        (_C, "病虫害", "{road}的行道树上全是虫子，掉得满地都是，走路都往身上掉"),
        (_S, "公园设施", "{c}公园里的健身器材坏了好几个，长椅也不够，建议维修增加一下"),
    ),
    "0107": (
        (_H, "招牌松动", "{road}{shop}门头的招牌松了，风一刮就晃，随时可能掉下来砸到人"),
        (_C, "大屏光污染", "{road}{place}商场外墙的LED大屏{night}还亮着，光照进屋里，根本睡不着"),
        (_C, "违规广告", "{road}上有人私自挂了好多横幅广告，乱七八糟的，影响市容"),
        (_R, "广告牌隐患", "{road}{place}楼顶的广告牌锈得很厉害，架子都歪了，存在安全隐患"),
    ),
    "0108": (
        (_H, "下水道堵塞", "{road}{place}的下水道堵了，污水冒到马路上，臭得很"),
        (_C, "雨后积水", "一下雨{road}{place}就积水，水都没过脚脖子了，车也过不去，年年这样"),
        (_H, "污水外溢", "{xiaoqu}门口的污水井往外冒水，{since}，路人都得绕着走"),
        (_S, "排水改造", "{road}一带的排水管太细了，建议改造，不然每年汛期都内涝"),
        (_H, "雨水井堵", "{road}{place}的雨水篦子被垃圾堵住了，下点雨就积水"),
    ),
    "0201": (
        (_C, "工厂废气", "{road}附近的{factory}{night}偷偷排废气，一股刺鼻的味道，熏得人头疼"),
        (_R, "冒黑烟", "{district}{road}那边有个厂子烟囱天天冒黑烟，周边都是居民区"),
        (_R, "露天焚烧", "{road}{place}有人在露天焚烧垃圾，烟很大，呛得人喘不过气"),
        (_C, "异味扰民", "{xiaoqu}附近总有一股化工的臭味，尤其是晚上，不知道是哪个厂排的"),
        (_R, "粉尘污染", "{road}边上的{factory}粉尘很大，窗台上每天一层灰"),
    ),
    "0202": (
        (_R, "偷排污水", "{road}附近的{factory}往河里偷排污水，河水都变颜色了"),
        (_C, "河道发臭", "{c}河这一段水发黑发臭，{since}，夏天根本没法从旁边走"),
        (_R, "死鱼", "{c}湖里最近漂了好多死鱼，水面上还有一层油，怀疑有人排污"),
        (_C, "污水直排", "{road}{place}有根管子直接往河沟里排污水，白沫子一堆"),
    ),
    "0203": (
        (_C, "工厂噪音", "{xiaoqu}旁边的{factory}{night}机器还在轰隆隆响，吵得一家人都睡不好"),
        (_C, "设备噪声", "{road}{place}那个厂楼顶的冷却塔和风机声音特别大，白天晚上不停"),
        (_C, "车间噪音", "我们楼后面有个加工车间，天天切割金属，噪音刺耳"),
        (_R, "噪声超标", "{factory}的噪声明显超标，{since}，反映给厂里也不管"),
    ),
    "0204": (
        (_C, "夜间施工", "{road}{place}的工地{night}还在施工，打桩声音特别大，根本没法睡觉"),
        (_C, "工地扰民", "{xiaoqu}对面的{site}{night}混凝土泵车一直响，也不知道有没有夜间施工许可"),
        (_R, "违规夜间施工", "{site}天天夜里施工，渣土车进进出出，噪音扰民严重"),
        (_Q, "夜间施工许可", "想问一下我们小区旁边的工地晚上施工，有没有办夜间施工证，在哪里能查到"),
        (_C, "施工扰民", "{road}上在修管道，早上六点就开始用破碎锤，吵得人头疼"),
    ),
    "0205": (
        (_C, "餐饮油烟", "我家楼下{restaurant}的油烟直接往上排，熏得我们家{since}不敢开窗"),
        (_C, "烧烤油烟", "{community}门口的烧烤店{night}还在烤串，烟雾缭绕，油烟味特别大"),
        (_R, "油烟直排", "{road}{restaurant}没有装油烟净化器，油烟直排，墙都熏黑了"),
        (_C, "排烟管道", "{xiaoqu}{building}底商饭店的排烟管道正对着我家窗户，又吵又熏"),
    ),
    "0206": (
        (_R, "偷倒建筑垃圾", "{road}{place}有人晚上偷偷倒建筑垃圾，堆成小山了"),
        (_R, "危险废物", "{road}附近有个院子堆了好多废油桶，还往外渗油，怀疑是危险废物"),
        (_R, "倾倒固废", "{district}{road}边的空地上，经常有车来倒工业垃圾，味道很大"),
        (_C, "医疗垃圾", "{road}一家诊所把医疗垃圾和生活垃圾混在一起扔，针头都露在外面"),
    ),
    "0301": (
        (_C, "公交不停站", "{bus}公交车在{road}站经常不停站，招手也不停，等了半个小时"),
        (_S, "增开线路", "{xiaoqu}附近没有公交车，到市区很不方便，建议开一条公交线路或者延长{bus}"),
        (_C, "司机态度", "{bus}公交司机态度很差，老人上车还没坐稳就猛开车，还骂人"),
        (_C, "班次太少", "{bus}公交班次太少了，早高峰要等四十分钟，根本挤不上去"),
        (_Q, "公交线路", "想问一下从{road}到{hospital}坐几路公交车，{bus}还在{road2}停吗"),
        (_S, "末班车", "建议{bus}末班车延长到晚上十点，下晚班的人太多了"),
    ),
    "0302": (
        (_C, "出租车拒载", "今天在{road}{place}打出租车，司机嫌路近拒载，还说不顺路"),
        (_C, "出租车绕路", "坐出租车从{hospital}到{road}，司机故意绕路，多收了二十多块钱"),
        (_C, "不打表", "火车站门口的出租车不打表，去{road}一口价要五十"),
        (_C, "网约车", "打的网约车司机中途让我下车，还要我付全程的钱，平台也不处理"),
        (_Q, "出租车失物", "想问一下坐出租车丢了东西，只记得车牌后几位，能不能帮忙找"),
    ),
    "0303": (
        (_C, "占用消防通道", "{xiaoqu}消防通道天天停满私家车，真要着火了消防车根本进不来"),
        (_H, "车辆堵门", "有辆车堵在我家车库门口一上午了，打电话也不接，出不去了，麻烦处理一下"),
        (_C, "乱停车", "{road}{place}两边乱停车，本来就窄的路只剩一个车道，天天堵"),
        (_R, "僵尸车", "{xiaoqu}门口停了一辆僵尸车，落满了灰，轮胎都瘪了，{since}没动过"),
        (_C, "占用盲道", "{road}人行道上停满了车，盲道都被占了，推婴儿车都过不去"),
    ),
    "0304": (
        (_H, "红绿灯故障", "{road}和{road2}路口的红绿灯坏了，一直闪黄灯，车和人都乱走"),
        (_S, "红灯时间", "{road}路口的红灯时间太长了，要等两分多钟，建议调整一下配时"),
        (_S, "斑马线", "{school}门口没有斑马线和减速带，孩子上学过马路太危险了，建议施划"),
        (_H, "护栏损坏", "{road}中间的护栏被撞倒了好几米，一直没人修"),
        (_C, "标线不清", "{road}{place}的交通标线都磨没了，不知道哪个是左转道"),
    ),
    "0305": (
        (_C, "单车乱停放", "{road}{place}的共享单车堆成山了，把人行道全占了"),
        (_H, "单车堵门", "{xiaoqu}门口被共享电单车堵住了，出入都困难，麻烦让公司来拉走"),
        (_S, "停放点", "{road}地铁口应该划个共享单车停放区，现在乱七八糟的"),
        (_C, "共享单车损坏", "{road}上好多坏的共享单车扔在路边，没人回收"),
    ),
    "0401": (
        (_C, "食品过期", "在{road}{shop}买的牛奶过期了，超市还在卖"),
        (_R, "后厨脏乱", "{road}{restaurant}后厨特别脏，老鼠到处跑，还用地沟油"),
        (_C, "吃坏肚子", "昨天在{restaurant}吃饭，回来一家人都拉肚子，怀疑食物不干净"),
        (_R, "变质食品", "{road}菜市场有个摊位卖注水肉和变质的熟食"),
        (_C, "外卖异物", "点的{restaurant}外卖里面吃出了苍蝇，商家不承认"),
        (_Q, "食品经营许可", "想问一下开个小吃店需要办食品经营许可证吗，去哪儿办"),
    ),
    "0402": (
        (_C, "乱收费", "{road}停车场乱收费，标价一小时五块，实际收了二十"),
        (_R, "不明码标价", "{road}{shop}卖东西不标价，结账的时候随便要价"),
        (_C, "摊位费涨价", "{c}菜市场的摊位费突然涨了一倍，也没有任何通知"),
        (_C, "多收钱", "在{shop}买东西，小票上多收了两件商品的钱，找他们不给退"),
        (_Q, "收费标准", "想问一下小区停车收费的标准是谁定的，一个月三百合理吗"),
    ),
    "0403": (
        (_C, "预付卡跑路", "在{road}一家健身房办了年卡，花了{money}，现在老板跑路了，门都关了"),
        (_C, "退货纠纷", "在{shop}买的电器用了三天就坏了，商家不给退也不给换"),
        (_C, "虚假宣传", "{shop}宣传说买一送一，结账的时候又说活动结束了，这不是骗人吗"),
        (_C, "美容卡退款", "在{road}的美容店办了卡，现在不想做了，要求退剩下的钱，店里不给退"),
        (_Q, "消费投诉渠道", "想问一下网上买的东西有质量问题，商家不处理，应该去哪儿投诉"),
    ),
    "0404": (
        (_R, "无照经营", "{road}{place}有个店没有营业执照，一直在营业"),
        (_R, "黑作坊", "{xiaoqu}{building}地下室有人开黑作坊做食品，味道很大，肯定没有证"),
        (_R, "超范围经营", "{road}一家小卖部在卖药和烟花，明显超范围经营"),
        (_Q, "办营业执照", "想咨询一下个体户营业执照怎么办，网上能不能办"),
    ),
    "0405": (
        (_H, "电梯困人", "{xiaoqu}{building}电梯又坏了，刚才困了人，物业说等维保公司"),
        (_C, "电梯故障", "{xiaoqu}{building}的电梯一个月坏了好几次，{elder}腿脚不好，只能爬楼"),
        (_R, "电梯年检过期", "{xiaoqu}{building}电梯里的检验合格证早就过期了，还在运行"),
        (_C, "电梯异响", "{xiaoqu}的电梯运行的时候有异响，还晃，不敢坐"),
    ),
    "0501": (
        (_H, "拖欠工资", "我在{company}上班，公司已经拖欠{months}工资了，一共{money}块，老板一直说没钱"),
        (_H, "农民工欠薪", "我们在{site}干活，包工头拖欠我们十几个人的工钱，{months}了都没给"),
        (_C, "克扣工资", "{company}无故克扣我的工资，说我迟到扣了一半"),
        (_H, "离职工资", "我上个月从{company}辞职了，最后一个月的工资还没给结"),
        (_Q, "欠薪维权", "想问一下公司拖欠工资不发，应该去哪里投诉，需要准备什么材料"),
    ),
    "0502": (
        (_C, "未缴社保", "我在{company}干了两年，公司一直没给交社保"),
        (_Q, "社保转移", "我从外地回来工作，想问一下社保怎么转移到明湖"),
        (_Q, "社保补缴", "想问一下之前断交了几个月的养老保险，现在能不能补缴"),
        (_Q, "工伤认定", "我在{company}上班时受伤了，想问一下工伤认定怎么申请"),
        (_H, "补办社保卡", "我的社保卡丢了，想补办一张，在哪儿办要带什么"),
        (_Q, "失业金", "我被公司辞退了，想问一下失业保险金怎么领"),
    ),
    "0503": (
        (_Q, "退休手续", "我今年满六十了，想问一下退休手续怎么办，需要带哪些材料"),
        (_C, "养老金未到账", "{elder}的养老金这个月还没到账，往常都是月初就发了"),
        (_Q, "养老金调整", "想问一下今年养老金上调了多少，啥时候补发"),
        (_Q, "资格认证", "想问一下养老金资格认证在手机上怎么弄，{elder}不会操作"),
    ),
    "0504": (
        (_Q, "就业补贴", "想问一下应届毕业生有没有就业补贴，怎么申请"),
        (_Q, "创业贷款", "我想开个小店，听说有创业担保贷款，想了解一下条件"),
        (_C, "劳动合同", "{company}跟我签的劳动合同一直不给我本人一份，试用期还延长了半年"),
        (_Q, "职业培训", "想问一下有没有免费的职业技能培训，想学个电工"),
        (_C, "加班费", "{company}天天让加班，也不给加班费，周末还得上班"),
    ),
    "0505": (
        (_Q, "医保报销", "{elder}在{hospital}住院，想问一下医保能报销多少"),
        (_Q, "异地就医", "我要去外地看病，想问一下异地就医备案怎么办"),
        (_Q, "居民医保缴费", "今年的城乡居民医保在哪儿交，交多少钱"),
        (_C, "报销慢", "交了报销材料{since}，医保的钱还没到账"),
        (_Q, "门诊慢性病", "想问一下高血压能不能办门诊慢性病，在哪儿申请"),
    ),
    "0601": (
        (_Q, "入学报名", "我家{kid}今年该上小学了，想问一下我们{xiaoqu}划到哪个学区"),
        (_Q, "转学", "我们刚搬到明湖，想问一下{kid}转学需要什么手续"),
        (_C, "学区划分", "我们{xiaoqu}明明离{school}最近，今年却被划到另一个很远的学校"),
        (_Q, "幼儿园入园", "想问一下公办幼儿园什么时候报名，要什么材料"),
        (_Q, "随迁子女入学", "我们是外地来打工的，{kid}在这儿上学需要办什么证明"),
    ),
    "0602": (
        (_R, "违规补课", "{school}的老师在家里办辅导班，让学生去补课，不去就针对孩子"),
        (_C, "培训机构退费", "给{kid}报了{road}一家培训班，交了{money}，现在机构关门了不退钱"),
        (_R, "无证培训", "{xiaoqu}{building}有人开培训班，十几个孩子挤在一个屋里，也没有消防设施"),
        (_Q, "培训机构资质", "想问一下怎么查培训机构有没有办学许可证"),
    ),
    "0603": (
        (_C, "资料费", "{school}让每个学生交两百块资料费，还不给收据"),
        (_C, "校服收费", "{school}强制买校服，一套要五百多，质量还很差"),
        (_Q, "课后服务费", "想问一下{school}的课后服务费是自愿的吗，一学期收多少合理"),
        (_R, "班费乱收", "{school}以班费的名义收钱，每学期都收，也不公布怎么花的"),
    ),
    "0604": (
        (_C, "体罚学生", "{school}有个老师体罚学生，{kid}回家胳膊都青了"),
        (_C, "作业负担", "{school}的作业太多了，{kid}天天写到晚上十一点"),
        (_C, "学校食堂", "{school}食堂的饭菜太差了，{kid}说菜里有虫子"),
        (_S, "放学接送", "{school}放学的时候门口太乱了，建议错峰放学，加派交警"),
        (_R, "校园霸凌", "我家{kid}在{school}被几个同学欺负，老师也不管"),
    ),
    "0701": (
        (_C, "医生态度", "今天在{hospital}看病，医生态度特别差，问两句就不耐烦"),
        (_C, "挂号难", "{hospital}的专家号根本挂不上，网上一放号就没了，有号贩子"),
        (_C, "医疗纠纷", "{elder}在{hospital}做手术，术后出现感染，医院推卸责任"),
        (_C, "排队时间长", "{hospital}排队做检查要等一上午，窗口只开两个"),
        (_Q, "门诊时间", "想问一下{hospital}周末有没有儿科门诊"),
    ),
    "0702": (
        (_Q, "疫苗接种", "想问一下{kid}打疫苗在哪个接种门诊，{community}附近有没有"),
        (_Q, "狂犬疫苗", "被狗咬了一下，想问一下去哪里打狂犬疫苗"),
        (_C, "接种排队", "{community}卫生服务中心的接种门诊人太多了，排了三个小时"),
        (_Q, "疫苗本补办", "{kid}的预防接种本丢了，怎么补办"),
    ),
    "0703": (
        (_Q, "生育登记", "想问一下生二胎还需要办生育登记吗，在哪里办"),
        (_Q, "出生医学证明", "{kid}的出生医学证明名字写错了，想问一下怎么改"),
        (_Q, "育儿补贴", "听说生三孩有育儿补贴，想问一下怎么申请"),
        (_S, "母婴室", "{road}商场和{hospital}都没有母婴室，喂奶很不方便，建议增设"),
    ),
    "0704": (
        (_R, "黑诊所", "{road}有个小诊所没有资质，一个人又打针又输液，很危险"),
        (_R, "无证行医", "{xiaoqu}{building}有人在家里给人看牙，没有行医资格"),
        (_R, "医美违规", "{road}一家美容院在做医美注射，根本没有医疗资质"),
        (_R, "游医", "{road}{place}经常有游医摆摊卖药，还给老人扎针"),
    ),
    "0801": (
        (_Q, "落户", "想问一下买了房子能不能在明湖落户，需要什么材料"),
        (_Q, "迁户口", "我要把户口从老家迁过来，想问一下流程"),
        (_Q, "身份证补办", "我的身份证丢了，想问一下在哪儿补办，多久能拿到"),
        (_Q, "居住证", "我是外地人，在明湖工作，想问一下居住证怎么办"),
        (_C, "上户口难", "去派出所给{kid}上户口，跑了三趟都没办成，每次都说缺材料"),
    ),
    "0802": (
        (_R, "聚众赌博", "{xiaoqu}{building}有人聚众赌博，天天晚上都有一群人进进出出"),
        (_H, "电动车被盗", "我的电动车在{xiaoqu}楼下被偷了，小区里最近丢了好几辆"),
        (_R, "可疑人员", "{road}{place}最近老有几个可疑的人转悠，趴车窗往里看"),
        (_C, "打架斗殴", "{road}烧烤摊{night}经常有喝醉的人打架，太吓人了"),
        (_S, "治安巡逻", "{community}最近老丢东西，建议晚上加强巡逻，多装几个监控"),
    ),
    "0803": (
        (_C, "广场舞噪音", "{xiaoqu}楼下的广场舞音响开得特别大，{night}还在跳，吵得孩子没法写作业"),
        (_C, "KTV扰民", "{road}{place}的KTV每天晚上唱到凌晨，声音特别大，吵得睡不着"),
        (_C, "楼上噪音", "楼上邻居{night}总是在屋里蹦跳、拖椅子，说了好几次也不听"),
        (_C, "商铺喇叭", "{road}的{shop}门口大喇叭天天循环播放促销广告，从早吵到晚"),
        (_C, "酒吧噪音", "{road}新开的酒吧{night}音乐震天响，整栋楼都能听见"),
        (_C, "夜间喧哗", "{xiaoqu}门口{night}总有人喝酒喧哗，大吵大闹"),
    ),
    "0804": (
        (_H, "刷单被骗", "我在网上被人骗了{money}块，说是刷单返利，后来就联系不上了"),
        (_R, "诈骗电话", "最近老接到冒充客服的电话，说我的快递丢了要理赔，肯定是骗子"),
        (_R, "非法集资", "{road}有个公司天天给老人开讲座，送鸡蛋，让老人投钱理财，说是高回报"),
        (_Q, "诈骗报案", "想问一下被电信诈骗了应该去哪报案，钱还能追回来吗"),
    ),
    "0805": (
        (_C, "遛狗不牵绳", "{xiaoqu}好多人遛狗不牵绳，大狗到处跑，吓得孩子不敢下楼"),
        (_H, "狗咬人", "{elder}在{xiaoqu}被邻居家的狗咬了，狗主人不承认"),
        (_C, "狗叫扰民", "邻居家养了三条狗，{night}一直叫，根本睡不着"),
        (_H, "流浪狗", "{road}{place}有一群流浪狗，见人就追，挺吓人的"),
        (_Q, "养犬登记", "想问一下养狗需要办证吗，在哪里登记"),
    ),
    "0806": (
        (_Q, "法律援助", "想问一下我家里困难，打官司请不起律师，能不能申请法律援助"),
        (_Q, "继承公证", "想问一下办房产继承公证需要带哪些材料"),
        (_Q, "法律咨询", "我跟别人有经济纠纷，想找人咨询一下法律问题，有没有免费的地方"),
        (_C, "律师不尽责", "找的律师收了钱不办事，开庭都不来"),
    ),
    "0807": (
        (_H, "楼上漏水", "楼上住户家里漏水漏到我家，天花板都泡坏了，找他们也不管"),
        (_H, "楼道堆物纠纷", "跟邻居因为楼道里堆东西吵起来了，想让社区出面调解一下"),
        (_C, "占用公共空间", "{xiaoqu}{building}对门邻居把鞋柜杂物全堆在公共楼道里，说了也不听"),
        (_H, "装修纠纷", "隔壁装修把我家墙震裂了，他们不愿意赔，想请社区协调"),
        (_C, "封堵过道", "邻居家在公共过道上装了个门，把路都封了，出入很不方便"),
    ),
    "0901": (
        (_Q, "低保申请", "想问一下家里生活困难，怎么申请低保，需要什么条件"),
        (_C, "低保未发", "{elder}的低保金这两个月都没发，不知道什么原因"),
        (_H, "临时救助", "家里突然有人生了大病，花光了积蓄，想问一下能不能申请临时救助"),
        (_R, "低保不公", "{community}有人家里有车有房还吃低保，真正困难的人却评不上"),
    ),
    "0902": (
        (_Q, "公办养老院", "想问一下{district}有没有公办养老院，收费多少"),
        (_Q, "高龄补贴", "{elder}今年八十了，想问一下高龄补贴怎么申请"),
        (_C, "养老院服务", "{elder}住在{road}的养老院，护工态度不好，老人身上还有淤青"),
        (_S, "老年助餐", "{community}老人多，建议办一个老年食堂，解决老人吃饭难"),
    ),
    "0903": (
        (_Q, "殡葬收费", "家里老人去世了，想问一下殡仪馆的收费标准"),
        (_C, "丧事扰民", "{xiaoqu}有人办丧事，在楼下搭棚子吹打了三天，{night}都不停"),
        (_C, "公墓收费", "{district}公墓的墓地价格太贵了，还强制买别的服务"),
        (_Q, "骨灰寄存", "想问一下骨灰寄存在哪里办理"),
    ),
    "0904": (
        (_Q, "结婚登记", "想问一下结婚登记要带什么材料，需要预约吗"),
        (_Q, "补办结婚证", "我的结婚证丢了，想问一下在哪儿补办"),
        (_Q, "离婚冷静期", "想问一下协议离婚的冷静期是多少天"),
        (_C, "登记预约难", "婚姻登记处的预约系统一直约不上，跑去了又说只接待预约的"),
    ),
    "0905": (
        (_Q, "退役军人优待", "我是退役军人，想问一下有哪些优待政策"),
        (_C, "光荣牌", "我家是军属，光荣牌到现在还没给挂"),
        (_Q, "抚恤金", "想问一下伤残军人的抚恤金标准是多少，什么时候发"),
        (_Q, "退役安置", "我刚退伍回来，想问一下安置工作怎么安排"),
    ),
    "1001": (
        (_C, "物业不作为", "{xiaoqu}的物业什么都不管，垃圾不清、灯坏了不修，物业费还照收"),
        (_C, "物业费上涨", "{xiaoqu}物业突然要涨物业费，也没开业主大会"),
        (_C, "保安不在岗", "{xiaoqu}物业保安天天不在岗，外来人员随便进出，小区里丢了好几次东西"),
        (_Q, "成立业委会", "想问一下我们小区想成立业主委员会，要走什么程序"),
        (_C, "物业断水断电", "{xiaoqu}物业因为我没交物业费，就给我家停水停电"),
        (_C, "物业不退场", "{xiaoqu}业主投票要换物业，老物业赖着不走"),
    ),
    "1002": (
        (_C, "楼道杂物", "{xiaoqu}是老旧小区，没有物业，楼道里堆满了杂物，垃圾也没人收"),
        (_C, "飞线充电", "{xiaoqu}{building}有人从楼上拉电线下来给电动车充电，很危险"),
        (_C, "院内脏乱差", "我们家属院没物业，院里垃圾堆得到处都是，{since}没人清了"),
        (_H, "无物业小区", "{xiaoqu}是个老家属院，院里下水道堵了找不到人管"),
        (_C, "院内乱堆放", "{xiaoqu}院里乱停车、乱堆放，消防通道都堵死了，也没有人管理"),
    ),
    "1003": (
        (_C, "延期交房", "{xiaoqu}二期说好去年年底交房，到现在都没交，开发商也不给说法"),
        (_C, "新房质量", "刚收的新房墙体开裂，卫生间还漏水，开发商推来推去"),
        (_C, "办证难", "{xiaoqu}交房三年了，房产证还没办下来"),
        (_C, "售房虚假宣传", "买房的时候说有学区和地铁，交房了发现都没有"),
        (_Q, "网签查询", "想问一下买的二手房怎么查有没有网签"),
    ),
    "1004": (
        (_Q, "公租房申请", "想问一下申请公租房需要什么条件，在哪里申请"),
        (_C, "公租房排队", "申请公租房两年了，一直在排队，也不知道排到第几了"),
        (_Q, "人才公寓", "我是刚来明湖工作的研究生，想问一下人才公寓怎么申请"),
        (_Q, "租赁补贴", "想问一下住房租赁补贴的标准是多少"),
    ),
    "1005": (
        (_Q, "过户办证", "想问一下二手房过户办不动产证需要多长时间"),
        (_Q, "解除抵押", "想问一下房子抵押贷款还清了，怎么解除抵押登记"),
        (_C, "登记办证慢", "不动产登记中心办个证要跑好几趟，材料要了一遍又一遍"),
        (_Q, "继承过户", "父母去世了，房子要过户到我名下，需要什么手续"),
    ),
    "1101": (
        (_R, "假种子", "在{district}农资店买的玉米种子，种下去一半不出苗，怀疑是假种子"),
        (_R, "假化肥", "买的化肥撒下去没啥效果，怀疑是假的"),
        (_C, "农药无效", "农资店卖的农药打了没效果，虫子照样吃庄稼"),
    ),
    "1102": (
        (_C, "种粮补贴未发", "今年的种粮补贴到现在还没发到一卡通上"),
        (_Q, "农机补贴", "想问一下买拖拉机有没有农机购置补贴，怎么申请"),
        (_R, "补贴冒领", "村里有人没种地也领了地力补贴，希望查一查"),
    ),
    "1103": (
        (_R, "病死猪", "{district}有人把病死猪扔到河沟里，臭得很"),
        (_R, "私屠滥宰", "{road}附近有个私人屠宰点，没有检疫就往外卖肉"),
        (_C, "养殖场异味", "{district}村边的养猪场味道太大了，苍蝇蚊子特别多"),
    ),
    "1104": (
        (_C, "村内垃圾", "我们村的垃圾没人清理，坑塘里全是垃圾，夏天臭得不行"),
        (_C, "村道破损", "村里的道路坑坑洼洼的，下雨天全是泥，出门都难"),
        (_C, "改厕问题", "村里改的厕所用了半年就坏了，没人来修"),
        (_S, "村庄整治", "建议把村口的坑塘清理一下，种点树，搞搞村庄绿化"),
    ),
    "1201": (
        (_H, "停水", "{xiaoqu}{since}停水了，也没有提前通知，做饭洗澡都没水"),
        (_H, "水管爆裂", "{road}{place}的自来水管爆了，水哗哗往外冒，路上都成河了"),
        (_C, "水压低", "{xiaoqu}{building}楼上水压太低，一到做饭的时候就没水"),
        (_Q, "水费异常", "这个月的水费比平时多了一倍多，想问一下怎么回事"),
        (_Q, "停水通知", "想问一下{road}一带今天是不是计划停水，啥时候来水"),
        (_H, "水表漏水", "我家水表那里漏水，阀门也关不住，麻烦派人来修一下"),
    ),
    "1202": (
        (_H, "停电", "{xiaoqu}{building}突然停电了，{since}还没来电，冰箱里的东西都坏了"),
        (_C, "电压不稳", "{xiaoqu}电压不稳，灯一闪一闪的，空调都开不起来"),
        (_Q, "电费异常", "这个月电费怎么突然这么高，想查一下是不是电表有问题"),
        (_H, "电线隐患", "{road}{place}有根电线耷拉下来了，离地面很近，下雨天怕漏电"),
        (_Q, "停电通知", "想问一下{road}这边明天是不是计划停电，停到几点"),
        (_H, "总闸跳闸", "我们单元的总闸老是跳闸，一天跳好几次"),
    ),
    "1203": (
        (_H, "燃气泄漏", "我家厨房一股煤气味，好像是管道漏气了，赶紧派人来看看"),
        (_H, "停气", "{xiaoqu}{since}没有天然气了，做不了饭，也没通知"),
        (_Q, "燃气开户", "刚买的新房，想问一下天然气怎么开户通气"),
        (_C, "燃气表故障", "燃气表显示还有钱，但是就是点不着火"),
        (_C, "强制换报警器", "燃气公司上门安检，非要让换他们的报警器，不换就不给通气"),
    ),
    "1204": (
        (_C, "暖气不热", "{xiaoqu}{building}的暖气一点都不热，屋里才十几度，{elder}冻得感冒了"),
        (_Q, "供暖报停", "想问一下今年暖气报停要在哪儿办，截止到什么时候"),
        (_H, "暖气漏水", "家里暖气片漏水了，地板都泡了，麻烦派人来修"),
        (_Q, "暖气费", "想问一下暖气费的收费标准是多少，能不能网上交"),
        (_C, "供暖不达标", "{xiaoqu}供暖温度一直不达标，找热力公司说派人测温也没来"),
    ),
    "1205": (
        (_C, "水发黄", "{xiaoqu}的自来水放出来是黄的，{since}，不敢喝"),
        (_C, "水有异味", "{xiaoqu}自来水有一股很重的漂白粉味，烧开了还有"),
        (_C, "水浑浊", "{xiaoqu}{building}的自来水浑浊，杯子底下有沉淀"),
        (_Q, "水质检测", "想问一下怎么申请检测家里的自来水水质"),
    ),
    "1301": (
        (_C, "办事难", "去政务服务中心办营业执照，跑了三趟都没办成，每次说法都不一样"),
        (_C, "窗口态度", "政务服务中心有个窗口的工作人员态度很差，问什么都不耐烦"),
        (_C, "网办无人审核", "在网上办事平台申请的事项，提交了{since}一直没人审核"),
        (_S, "周末开放", "建议政务服务中心周末也开放，上班族工作日没时间去"),
    ),
    "1302": (
        (_C, "景区收费", "{c}山景区门票涨价了，里面的小交通还要另外收费"),
        (_C, "强制购物", "报了旅行社的团，导游一直带我们去购物店，不买就甩脸子"),
        (_C, "图书馆占座", "市图书馆的座位都被占座的人占了，根本没地方看书"),
        (_Q, "场馆开放", "想问一下{c}公园和博物馆节假日开不开放，要不要预约"),
    ),
    "1303": (
        (_R, "违规存放危险品", "{road}有个仓库里存了很多液化气罐，旁边就是居民楼"),
        (_R, "堵塞安全出口", "{road}{shop}把安全出口堵住了，里面还堆满了易燃物"),
        (_R, "高处作业无防护", "{company}的工人没有任何防护就在高处作业，很危险"),
        (_R, "违规生产烟花", "{district}有个小作坊在居民区里做烟花，很危险"),
    ),
    "1304": (
        (_C, "热线难打通", "12345热线打了好几次都打不通，一直占线"),
        (_C, "回复敷衍", "上次反映的问题，回复就一句话，根本没解决就办结了"),
        (_S, "工单查询", "建议12345能在网上查询工单进度"),
        (_C, "不满意无人跟进", "我的工单已经说了不满意，后面就再没有人联系我了"),
    ),
}

# What grid workers report on their rounds (channel 网格), in their reports' plain style.
GRID_ISSUES: dict[str, tuple[tuple[str, str], ...]] = {
    "0103": (
        ("私搭乱建", "巡查发现{xiaoqu}{building}旁有新建彩钢房一处，约二十平方米，疑似违法建设"),
        ("楼顶加盖", "巡查发现{xiaoqu}{building}楼顶正在加盖砖混结构房屋，现场未见规划手续"),
    ),
    "0104": (
        ("流动摊贩", "巡查发现{road}{place}有流动摊贩占道经营，影响行人和车辆通行"),
        ("店外经营", "巡查发现{road}{shop}店外经营，货物摆放占用人行道"),
    ),
    "0105": (
        ("垃圾堆放", "巡查发现{road}{place}垃圾堆积未清运，需环卫清理"),
        ("小广告", "巡查发现{road}沿线墙面、电杆张贴小广告多处"),
    ),
    "0106": (
        ("树木倒伏", "巡查发现{road}{place}行道树倒伏，占用人行道"),
        ("绿地毁损", "巡查发现{road}绿化带草坪被踩踏毁损约五十平方米"),
    ),
    "0107": (("招牌隐患", "巡查发现{road}{shop}门头招牌固定件松动，存在坠落隐患"),),
    "1002": (
        ("楼道堆物", "巡查发现{xiaoqu}{building}楼道堆放杂物，堵塞疏散通道"),
        ("飞线充电", "巡查发现{xiaoqu}{building}有居民私拉电线为电动车充电"),
    ),
}

# How often each category is called about, relative to the others (water, property management and noise lead).
WEIGHTS: dict[str, float] = {
    "0101": 3, "0102": 4, "0103": 2, "0104": 4, "0105": 4, "0106": 2, "0107": 1, "0108": 2,
    "0201": 2, "0202": 1, "0203": 1.5, "0204": 3, "0205": 3, "0206": 1,
    "0301": 3, "0302": 2, "0303": 3, "0304": 1.5, "0305": 1.5,
    "0401": 3, "0402": 2, "0403": 3, "0404": 1, "0405": 2,
    "0501": 5, "0502": 3, "0503": 2, "0504": 2, "0505": 3,
    "0601": 3, "0602": 1, "0603": 1, "0604": 1.5,
    "0701": 2, "0702": 1, "0703": 1, "0704": 0.5,
    "0801": 3, "0802": 2, "0803": 5, "0804": 1.5, "0805": 2, "0806": 1, "0807": 3,
    "0901": 2, "0902": 1.5, "0903": 0.5, "0904": 1, "0905": 0.5,
    "1001": 6, "1002": 3, "1003": 2, "1004": 1, "1005": 1.5,
    "1101": 0.5, "1102": 0.5, "1103": 0.5, "1104": 1,
    "1201": 6, "1202": 5, "1203": 3, "1204": 4, "1205": 1.5,
    "1301": 1.5, "1302": 1, "1303": 1, "1304": 1,
}  # fmt: skip

# Where a case of the category was sometimes sent first by mistake, and returned (退单) from.
CONFUSED_WITH: dict[str, tuple[str, ...]] = {
    "0101": ("住房和城乡建设局", "交通运输局"),
    "0103": ("城市管理局", "自然资源和规划局"),
    "0104": ("城市管理局", "市场监督管理局"),
    "0105": ("生态环境局",),
    "0106": ("住房和城乡建设局",),
    "0108": ("城市管理局", "住房和城乡建设局"),
    "0201": ("城市管理局",),
    "0202": ("水利局",),
    "0204": ("生态环境局", "城市管理局"),
    "0205": ("生态环境局", "市场监督管理局"),
    "0206": ("城市管理局",),
    "0303": ("城市管理局",),
    "0305": ("城市管理局",),
    "0403": ("商务局",),
    "0405": ("住房和城乡建设局",),
    "0502": ("税务局", "医疗保障局"),
    "0505": ("人力资源和社会保障局",),
    "0803": ("生态环境局", "城市管理局"),
    "0805": ("城市管理局", "农业农村局"),
    "0807": ("司法局", "公安局"),
    "1001": ("城市管理局",),
    "1002": ("住房和城乡建设局",),
    "1003": ("自然资源和规划局",),
    "1005": ("住房和城乡建设局",),
    "1104": ("农业农村局",),
    "1205": ("卫生健康委员会",),
}

# Practice is finer than the catalogue: some matters of a category are, in this city, handled by another unit than
# the category's lead — a street mediates a noisy square dance and guides the founding of an owners' committee, 城管
# catches stray dogs, the property-title delay is 自然资源和规划局's. (category, issue) → (unit or STREET, share of
# such cases it concludes); the rest stay with the catalogue's lead. The router learns these from history only.
PRACTICE: dict[tuple[str, str], tuple[str, float]] = {
    ("0105", "道路不洁"): (STREET, 0.8),
    ("0106", "树木遮挡"): (STREET, 0.7),
    ("0108", "雨水井堵"): ("城市管理局", 0.85),
    ("0204", "施工扰民"): ("城市管理局", 0.8),
    ("0205", "烧烤油烟"): (STREET, 0.8),
    ("0303", "占用消防通道"): (STREET, 0.75),
    ("0803", "广场舞噪音"): (STREET, 0.85),
    ("0803", "楼上噪音"): (STREET, 0.85),
    ("0805", "流浪狗"): ("城市管理局", 0.9),
    ("0903", "丧事扰民"): (STREET, 0.85),
    ("1001", "成立业委会"): (STREET, 0.9),
    ("1001", "物业不退场"): (STREET, 0.8),
    ("1003", "办证难"): ("自然资源和规划局", 0.85),
    ("1104", "改厕问题"): ("农业农村局", 0.85),
    ("1205", "水质检测"): ("卫生健康委员会", 0.85),
}
# And now and then a unit concludes a case the catalogue gives to another, for no reason the words show.
STRAY_SHARE = 0.02
_STRAY_UNITS = ("城市管理局", "住房和城乡建设局", "公安局", "市场监督管理局", STREET)
# What callers say besides the matter: their situation, or an earlier call about something else.
_ASIDES = (
    "家里老人身体不好，", "我是上班族，白天没时间，", "我们这栋楼住的大多是老人，", "孩子马上要考试了，",
    "这事不是第一次了，", "我在这儿住了二十多年了，", "我刚搬来没多久，", "打了好几次电话了，",
)  # fmt: skip

_ROADS = (
    "人民路", "建设路", "解放路", "文化路", "中原路", "黄河路", "长江路", "民主路", "胜利街", "和平路",
    "光明路", "工业路", "纬一路", "经三路", "学院路", "滨河路", "湖滨大道", "府前街", "青峰路", "铁西大街",
    "高铁大道", "科技大道", "迎宾路", "南关街", "松林路", "矿山路", "翠屏路", "望湖路", "新华路", "东风路",
)  # fmt: skip
_PLACES = (
    "路口", "公交站附近", "菜市场门口", "小区门口", "学校附近", "十字路口往东", "超市旁边", "桥底下",
    "加油站对面", "医院门口", "银行门口", "广场东边", "幼儿园旁边", "地铁口",
)  # fmt: skip
_ESTATE_SUFFIXES = ("小区", "花园", "家园", "家属院", "新村", "苑", "名都", "小区")
_SINCE = ("好几天了", "一个多星期了", "半个多月了", "从上周开始", "三四天了", "两天了", "一个月了", "从前天开始")
_NIGHT = ("晚上十一点多", "凌晨一两点", "半夜十二点以后", "每天晚上", "晚上十点以后", "夜里")
_RESTAURANT_KINDS = ("饭店", "烧烤", "面馆", "火锅店", "小吃店", "酒家", "羊肉汤馆", "烩面馆")
_FACTORY_KINDS = ("化工厂", "塑料厂", "机械厂", "板材厂", "铸造厂", "印染厂", "食品厂", "建材厂")
_SCHOOLS = ("明湖市第一实验小学", "{road}小学", "明湖市第三中学", "{c}小学", "明湖外国语学校", "明湖市第五中学")
_HOSPITALS = ("市第一人民医院", "市中心医院", "市中医院", "市妇幼保健院", "{district}人民医院", "市第二人民医院")
_MONEY = ("3800", "5600", "12000", "8000", "两万多", "四千多", "2680", "9500")
_MONTHS = ("两个月", "三个多月", "半年", "四个月", "一个多月")
_KIDS = ("孩子", "闺女", "儿子", "小孩")
_ELDERS = ("俺妈", "我父亲", "家里老人", "俺爹", "我婆婆", "老母亲")

_OPENERS = {
    COMPLAINT: (
        "", "你好，", "您好，我想反映一下，", "我要投诉，", "你好，我是{community}的居民，想反映个问题，",
        "喂，你好，", "我住在{xiaoqu}，", "你好，反映个事儿，", "您好，",
    ),
    HELP: ("", "你好，", "你好，麻烦帮个忙，", "您好，求助一下，", "喂，你好，", "你好，我住{xiaoqu}，"),
    CONSULTATION: ("", "你好，", "你好，想咨询一下，", "您好，问一下，", "你好，我想问问，"),
    REPORT: ("", "我要举报，", "你好，我实名举报，", "你好，反映一个情况，", "举报："),
    SUGGESTION: ("", "你好，提个建议，", "我有个建议，", "您好，作为{district}的市民，建议一下，"),
}  # fmt: skip
_CLOSERS = {
    COMPLAINT: (
        "", "希望有关部门尽快处理。", "麻烦尽快处理。", "都反映好几次了，一直没人管！", "请给个答复。",
        "太影响生活了，希望管一管。", "恁赶紧派人来看看中不中？", "谢谢。",
    ),
    HELP: ("", "麻烦尽快派人来看看。", "急！", "谢谢了。", "麻烦快点，家里老人孩子都等着。", "请尽快处理，谢谢。"),
    CONSULTATION: ("", "谢谢。", "需要带啥材料？", "麻烦告诉一下，谢谢。", "在哪儿办？"),
    REPORT: ("", "请依法查处。", "希望有关部门查一查。", "请不要透露我的信息。", "请尽快处理。"),
    SUGGESTION: ("", "希望能采纳。", "谢谢。", "请相关部门考虑一下。"),
}  # fmt: skip
_FILLERS = ("", "", "", "那个，", "就是，", "嗯，", "是这样的，", "咋说呢，")
_PRAISE = (
    "我要表扬一下{unit}，前几天反映的{topic}问题，他们第二天就派人来处理好了，态度也特别好，非常感谢！",
    "上次打电话反映{topic}，{unit}的工作人员很负责，专门打电话来说明情况，给他们点赞。",
    "感谢{unit}，{topic}的问题终于解决了，希望能表扬一下具体办事的同志。",
    "表扬{unit}，处理{topic}的事又快又好。",
)
# Henan speech, and what an operator's input method makes of a caller's words.
_DIALECT = (("我", "俺"), ("怎么", "咋"), ("什么", "啥"), ("非常", "可"), ("很", "怪"))
_SLIPS = (
    ("反映", "反应"),
    ("已经", "以经"),
    ("现在", "现再"),
    ("垃圾", "拉圾"),
    ("噪音", "燥音"),
    ("暖气", "暖器"),
    ("处理", "出理"),
    ("赶紧", "赶进"),
    ("的", "得"),
)
_SYNONYMS = (
    ("路灯", ("街灯", "路灯")),
    ("不亮", ("不亮了", "黑着", "坏了")),
    ("停水", ("没水", "断水")),
    ("停电", ("没电", "断电")),
    ("工资", ("工钱", "薪水")),
    ("物业", ("物业公司", "物管")),
    ("噪音", ("噪声", "动静")),
    ("投诉", ("举报", "反映")),
    ("天然气", ("燃气", "煤气")),
    ("小区", ("院里", "小区")),
)
_REPLIES = {
    CONSULTATION: "已向来电人详细解释相关政策和办理流程，来电人表示清楚",
    HELP: "已安排人员到现场处置，问题已解决",
    COMPLAINT: "经现场核实，已责令整改，问题已处理到位",
    REPORT: "已立案调查，依法依规作出处理",
    SUGGESTION: "已将建议转相关科室研究，将在今后工作中统筹考虑",
    PRAISE: "感谢来电人的肯定，我们将继续做好工作",
}
# Calls by hour of the day: the line answers day and night, most calls come between eight and nine.
_CALLS_BY_HOUR = (1, 1, 1, 1, 1, 1, 2, 4, 9, 12, 12, 10, 7, 7, 9, 10, 10, 9, 7, 6, 5, 4, 3, 2)
_SHORT_NAMES = {name: short for name, _kind, short in CITY_UNITS}


@dataclass(frozen=True)
class _Place:
    district: District
    street: Street
    community_code: str
    community: str


class _Generator:
    """One run of the generator; every choice comes from one seeded random source."""

    def __init__(self, seed: int, until: datetime.date) -> None:
        # Demo data, not secrets: a seeded generator is the point.
        self.random = random.Random(f"{seed}:cases-history")  # noqa: S311
        self.until = until
        self.city = districts()
        self.places = [
            _Place(district, street, code, name)
            for district in self.city
            for street in district.streets
            for code, name in street.communities
        ]
        self.codes = [category.code for category in CATEGORIES]
        self.categories = {category.code: category for category in CATEGORIES}
        self.by_type: dict[str, tuple[list[tuple[str, Issue]], list[float]]] = {}
        for case_type, _share in TYPE_SHARES:
            pairs = [(code, Issue(*issue)) for code in self.codes for issue in ISSUES[code] if issue[0] == case_type]
            # A category's weight is shared by its issues of the type, so that busy categories stay busy.
            counts = {code: sum(1 for issue in ISSUES[code] if issue[0] == case_type) for code in self.codes}
            self.by_type[case_type] = (pairs, [WEIGHTS[code] / counts[code] for code, _issue in pairs])

    # -- words -----------------------------------------------------------------------------------------------
    def _trade(self) -> str:
        return "".join(self.random.sample(TRADE_NAME_CHARACTERS, 2))

    def _slots(self, place: _Place) -> dict[str, str]:
        pick = self.random.choice
        short = place.community.removesuffix("社区")
        road, road2 = self.random.sample(_ROADS, 2)
        estate = pick((f"{short}{pick(_ESTATE_SUFFIXES)}", f"{road}{self.random.randint(1, 200)}号院"))
        building = f"{self.random.randint(1, 32)}号楼"
        if self.random.random() < 0.3:
            building += f"{self.random.randint(1, 6)}单元"
        slots = {
            "road": road,
            "road2": road2,
            "place": pick(_PLACES),
            "xiaoqu": estate,
            "building": building,
            "community": place.community,
            "c": short,
            "district": place.district.name,
            "since": pick(_SINCE),
            "night": pick(_NIGHT),
            "shop": self._trade() + pick(SHOP_KINDS),
            "restaurant": self._trade() + pick(_RESTAURANT_KINDS),
            "company": f"明湖{self._trade()}{pick(COMPANY_BUSINESSES)}有限公司",
            "factory": self._trade() + pick(_FACTORY_KINDS),
            "site": pick((f"{estate}二期工地", f"{road}道路改造工地", f"{self._trade()}广场项目工地")),
            "bus": pick((f"{self.random.randint(1, 60)}路", f"K{self.random.randint(1, 20)}路")),
            "money": pick(_MONEY),
            "months": pick(_MONTHS),
            "kid": pick(_KIDS),
            "elder": pick(_ELDERS),
        }
        slots["school"] = pick(_SCHOOLS).format_map(slots)
        slots["hospital"] = pick(_HOSPITALS).format_map(slots)
        return slots

    def _colloquial(self, text: str) -> str:
        """Dialect, near-synonyms and input-method slips, each now and then."""
        chance = self.random.random
        for word, choices in _SYNONYMS:
            if word in text and chance() < 0.3:
                text = text.replace(word, self.random.choice(choices), 1)
        if chance() < 0.15:
            for word, local in self.random.sample(_DIALECT, 2):
                text = text.replace(word, local, 1)
        if chance() < 0.12:
            word, slip = self.random.choice(_SLIPS)
            text = text.replace(word, slip, 1)
        if chance() < 0.06:  # a transcript without punctuation
            text = text.replace("，", " ").replace("。", " ").strip()
        return text

    def _words(self, case_type: str, issue: Issue, slots: dict[str, str]) -> str:
        chance = self.random.random
        if chance() < 0.05:  # the caller hardly explains; the operator notes the gist
            if case_type == CONSULTATION:
                return f"{slots['community']}居民咨询{issue.topic}。"
            request = self.random.choice(("请处理", "请核实", "麻烦看看"))
            return f"{slots['community']}{slots['road']}一带{issue.topic}，{request}。"
        body = issue.text.format_map(slots)
        opener = self.random.choice(_OPENERS[case_type]).format_map(slots)
        filler = self.random.choice(_FILLERS) if opener else ""
        aside = self.random.choice(_ASIDES) if chance() < 0.12 else ""
        if chance() < 0.06:  # an earlier call about something else
            other = Issue(*self.random.choice(ISSUES[self.random.choice(self.codes)]))
            aside += f"上次反映的{other.topic}已经解决了，这次是"
        closer = self.random.choice(_CLOSERS[case_type])
        return self._colloquial(f"{opener}{filler}{aside}{body}。{closer}".replace("。。", "。"))

    # -- times -----------------------------------------------------------------------------------------------
    @staticmethod
    def _next_working_start(moment: datetime.datetime) -> datetime.datetime:
        """The moment itself when in working hours (Mon–Fri 8:30–17:30), else the next opening."""
        day = moment
        while True:
            start = day.replace(hour=8, minute=30, second=0, microsecond=0)
            end = day.replace(hour=17, minute=30, second=0, microsecond=0)
            if day.weekday() < 5 and moment < end:
                return max(moment, start)
            day = (day + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            moment = day

    def _after_working_minutes(self, moment: datetime.datetime, minutes: float) -> datetime.datetime:
        moment = self._next_working_start(moment)
        while True:
            end = moment.replace(hour=17, minute=30, second=0, microsecond=0)
            room = (end - moment).total_seconds() / 60
            if minutes <= room:
                return moment + datetime.timedelta(seconds=int(minutes * 60))
            minutes -= room
            moment = self._next_working_start(end + datetime.timedelta(minutes=1))

    def _after_working_days(self, moment: datetime.datetime, days: int) -> datetime.datetime:
        moment = self._next_working_start(moment)
        while days > 0:
            moment += datetime.timedelta(days=1)
            if moment.weekday() < 5:
                days -= 1
        return moment

    def _received(self, channel: str) -> datetime.datetime:
        day = self.until - datetime.timedelta(days=self.random.randint(LAST_RECEIVED_DAYS, HISTORY_DAYS))
        if channel == "grid":
            hour = self.random.randint(8, 16)
            while day.weekday() >= 5:
                day -= datetime.timedelta(days=1)
        else:
            hour = self.random.choices(range(24), weights=_CALLS_BY_HOUR)[0]
        return datetime.datetime(
            day.year, day.month, day.day, hour, self.random.randint(0, 59), self.random.randint(0, 59), tzinfo=TIME_ZONE
        )

    # -- one case --------------------------------------------------------------------------------------------
    def _unit(self, category: Category, place: _Place, issue: Issue | None = None) -> str:
        """The unit that concluded the case: the catalogue's lead, or the one practice gives this issue to."""
        entry = catalogue_entry(category.code)
        lead = entry.lead_kind if entry.lead_kind in (STREET, DISTRICT) else entry.lead
        if issue is not None:
            practice = PRACTICE.get((category.code, issue.topic))
            if practice is not None and self.random.random() < practice[1]:
                lead = practice[0]
            elif self.random.random() < STRAY_SHARE:
                lead = self.random.choice(_STRAY_UNITS)
        if lead == STREET:
            return place.street.office
        if lead == DISTRICT:
            return place.district.government
        return lead

    @staticmethod
    def _spoken_name(unit: str, place: _Place) -> str:
        """How a caller names the unit: the everyday short name of a city unit, the street, the district."""
        if unit == place.street.office:
            return place.street.name
        if unit == place.district.government:
            return f"{place.district.name}政府"
        return _SHORT_NAMES.get(unit, unit)

    def _contact(self) -> tuple[str, str]:
        surname = self.random.choices(SURNAMES, cum_weights=SURNAME_CUMULATIVE_WEIGHTS)[0]
        name = surname + self.random.choice(("先生", "女士"))
        phone = "1" + self.random.choice("3578") + f"{self.random.randrange(10**9):09d}"
        return name, phone

    def case(self) -> HistoricCase:
        case_type = self.random.choices([item for item, _ in TYPE_SHARES], weights=[s for _, s in TYPE_SHARES])[0]
        place = self.random.choice(self.places)
        slots = self._slots(place)
        channel = "phone"
        if case_type == PRAISE:
            code = self.random.choices(self.codes, weights=[WEIGHTS[code] for code in self.codes])[0]
            issue = Issue(*self.random.choice(ISSUES[code]))
            category = self.categories[code]
            unit = self._unit(category, place)
            text = self.random.choice(_PRAISE).format(unit=self._spoken_name(unit, place), topic=issue.topic)
            topic = f"表扬{self._spoken_name(unit, place)}"
        else:
            pairs, weights = self.by_type[case_type]
            code, issue = self.random.choices(pairs, weights=weights)[0]
            category = self.categories[code]
            unit = self._unit(category, place, issue)
            if code in GRID_ISSUES and self.random.random() < 0.3:
                channel, case_type = "grid", REPORT
                topic, words = self.random.choice(GRID_ISSUES[code])
                text = "网格员" + words.format_map(slots) + "。"
            else:
                channel = "portal" if self.random.random() < 0.15 else "phone"
                topic = issue.topic
                text = self._words(case_type, issue, slots)
        title = topic if self.random.random() < 0.4 else f"{place.community}{topic}"
        return self._story(case_type, channel, category, unit, place, slots, text, title)

    def _story(
        self,
        case_type: str,
        channel: str,
        category: Category,
        unit: str,
        place: _Place,
        slots: dict[str, str],
        text: str,
        title: str,
    ) -> HistoricCase:
        """Where and when, who handled it, how it ended."""
        chance = self.random.random
        received = self._received(channel)
        dispatched = self._after_working_minutes(received, self.random.uniform(5, 120))
        sign_due = self._after_working_days(dispatched, 1)
        entry = catalogue_entry(category.code)
        returned_from = returned_at = reassigned_at = None
        return_reason = ""
        wrong = [name for name in CONFUSED_WITH.get(category.code, ()) if name != unit]
        if case_type != PRAISE and wrong and chance() < 0.12:
            returned_from = self.random.choice(wrong)
            returned_at = self._after_working_minutes(dispatched, self.random.uniform(30, 600))
            reassigned_at = self._after_working_minutes(returned_at, self.random.uniform(20, 240))
            right = self._spoken_name(unit, place)
            return_reason = f"经核实，该事项不属于我单位职责，依据{entry.basis}，应由{right}办理，申请退回。"
            sign_due = self._after_working_days(reassigned_at, 1)
        start = reassigned_at or dispatched
        late_signature = chance() < 0.05
        signed = self._after_working_minutes(
            start, self.random.uniform(500, 1200) if late_signature else self.random.uniform(10, 360)
        )
        limit = HANDLE_DAYS[case_type]
        due = self._after_working_days(start, limit).replace(hour=17, minute=30, second=0, microsecond=0)
        if chance() < 0.04:  # overdue
            concluded = self._after_working_minutes(due, self.random.uniform(60, 1500))
        else:
            days = min(limit - 1, int(self.random.triangular(0, limit, 1 if limit > 3 else 0)))
            concluded = self._after_working_minutes(
                self._after_working_days(signed, days), self.random.uniform(30, 300)
            )
        concluded = max(concluded, signed + datetime.timedelta(minutes=20))
        followed_up = concluded + datetime.timedelta(days=self.random.randint(1, 2))
        followed_up = followed_up.replace(hour=self.random.randint(9, 17), minute=self.random.randint(0, 59))
        satisfaction, resolved = self._verdict(case_type)
        reconcluded = final_followed_up = None
        final_satisfaction = ""
        if satisfaction == "unsatisfied":
            reconcluded = self._after_working_minutes(
                self._after_working_days(followed_up, self.random.randint(2, 6)), self.random.uniform(30, 300)
            )
            final_followed_up = (reconcluded + datetime.timedelta(days=self.random.randint(1, 2))).replace(
                hour=self.random.randint(9, 17)
            )
            final_satisfaction = self.random.choices(("basically", "satisfied", "unsatisfied"), (60, 25, 15))[0]
        name, phone = self._contact() if channel != "grid" else ("", "")
        spoken = self._spoken_name(unit, place)
        reply = f"您好，您反映的{title}问题，经{spoken}核实：{_REPLIES[case_type]}。感谢您对我们工作的理解和支持。"
        return HistoricCase(
            text=text,
            title=title[:100],
            case_type=case_type,
            category_code=category.code,
            unit=unit,
            division_code=place.community_code,
            address=f"{place.district.name}{place.street.name}{place.community}{slots['road']}"
            f"{self.random.randint(1, 300)}号",
            received_at=received,
            dispatched_at=dispatched,
            signed_at=signed,
            concluded_at=concluded,
            followed_up_at=followed_up,
            reply=reply,
            satisfaction=satisfaction,
            resolved=resolved,
            channel=channel,
            co_units=tuple(name for name in entry.co_units if name != unit),
            contact_name=name,
            contact_phone=phone,
            hide_reporter=case_type == REPORT and chance() < 0.3,
            sign_due_at=sign_due,
            due_at=due,
            returned_from=returned_from or "",
            return_reason=return_reason,
            returned_at=returned_at,
            reassigned_at=reassigned_at,
            reconcluded_at=reconcluded,
            final_satisfaction=final_satisfaction,
            final_followed_up_at=final_followed_up,
        )

    def _verdict(self, case_type: str) -> tuple[str, bool]:
        if case_type == PRAISE:
            return "satisfied", True
        shares = (85, 12, 3) if case_type == CONSULTATION else (72, 18, 10)
        satisfaction = self.random.choices(("satisfied", "basically", "unsatisfied"), shares)[0]
        resolved_share = {"satisfied": 0.95, "basically": 0.8, "unsatisfied": 0.25}[satisfaction]
        return satisfaction, self.random.random() < resolved_share


def history_cases(
    *, count: int, seed: int = DEFAULT_SEED, until: datetime.date | None = None
) -> Iterator[HistoricCase]:
    """`count` historic cases, the same ones for the same seed and `until` (default: today), oldest first not
    guaranteed; stream them into `yiwang.cases.history.case_history_import`."""
    generator = _Generator(seed, until or datetime.date.today())
    for _index in range(count):
        yield generator.case()


def routed_text(case: HistoricCase) -> str:
    """The text the router reads for a case: its title and content, as dispatch records them."""
    return f"{case.title}\n{case.text}"
