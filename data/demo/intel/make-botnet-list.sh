#!/bin/sh
# Makes botnet-2026-10.xlsx, the demo's victim list, in the style of the
# monthly "Danh sách IP mạng Botnet" the authority sends: title rows merged
# across the sheet, a Vietnamese header, dates both as real date cells and as
# dd/mm/yyyy text, ip:port in one cell, stray spaces, a unit name merged over
# two rows, a mistyped address, and a total row at the end.
#
#   data/demo/intel/make-botnet-list.sh [OUT.xlsx]   (needs ssconvert from gnumeric, unzip, zip)
#
# OUT defaults to botnet-2026-10.xlsx beside this script.
#
# The .xlsx is committed, so `make run` does not need gnumeric; run this only
# to change the list. Every address is from the documentation ranges
# (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32); most fall in
# the public ranges of data/demo/units.csv, two belong to nobody there.
set -eu
out=$(realpath -m "${1:-$(dirname "$0")/botnet-2026-10.xlsx}")
cd "$(dirname "$0")"
command -v ssconvert >/dev/null || { echo "make-botnet-list.sh: ssconvert is needed (apt install gnumeric)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ssconvert reads ISO dates ("2026-10-05 08:15") as date cells; dd/mm/yyyy
# with a day above 12 is no date in its (US) reading and stays text, as it
# does in many offices' files.
cat >"$tmp/botnet-2026-10.html" <<'HTML'
<html><head><meta charset="utf-8"></head><body><table>
<tr><td colspan="7">BỘ THÔNG TIN VÀ TRUYỀN THÔNG</td></tr>
<tr><td colspan="7">CỤC AN TOÀN THÔNG TIN</td></tr>
<tr><td colspan="7">DANH SÁCH ĐỊA CHỈ IP MẠNG BOTNET THÁNG 10 NĂM 2026 - THÀNH PHỐ HẢI PHÒNG</td></tr>
<tr><td colspan="7">(Kèm theo Công văn số 1234/CATTT-NCSC; dữ liệu minh hoạ, địa chỉ thuộc các dải dành cho tài liệu)</td></tr>
<tr><td></td></tr>
<tr><td>STT</td><td>Địa chỉ IP</td><td>Thời gian phát hiện</td><td>Tên mạng botnet</td><td>Cổng</td><td>Đơn vị quản lý IP</td><td>Ghi chú</td></tr>
<tr><td>1</td><td>198.51.100.20:443</td><td>2026-10-05 08:15</td><td>Emotet</td><td></td><td>Trường THPT Ngô Quyền</td><td></td></tr>
<tr><td>2</td><td> 203.0.113.5 </td><td>14/10/2026 21:40</td><td>Mirai</td><td>23</td><td>Sở Giáo dục và Đào tạo Hải Phòng</td><td></td></tr>
<tr><td>3</td><td>2001:db8:101::25</td><td>2026-10-09 10:02</td><td>Andromeda</td><td></td><td>Trường THPT Chuyên Trần Phú</td><td></td></tr>
<tr><td>4</td><td>192.0.2.18</td><td>17/10/2026</td><td>Gafgyt</td><td>8080</td><td>Trường THCS Chu Văn An</td><td></td></tr>
<tr><td>5</td><td>203.0.113.20</td><td>2026-10-21</td><td>Conficker</td><td>445</td><td>Phòng GDĐT quận Ngô Quyền</td><td></td></tr>
<tr><td>6</td><td>192.0.2.41</td><td>23/10/2026 07:05</td><td>Sality</td><td></td><td rowspan="2">Trung tâm GDNN - GDTX huyện Vĩnh Bảo</td><td></td></tr>
<tr><td>7</td><td>2001:db8:102:1::9</td><td>2026-10-30</td><td>Mirai</td><td></td><td></td></tr>
<tr><td>8</td><td>198.51.100.200</td><td>2026-10-11</td><td>Qakbot</td><td>995</td><td>Công ty TNHH Minh Hoạ</td><td></td></tr>
<tr><td>9</td><td>192.0.2.200</td><td>29/10/2026</td><td>Necurs</td><td></td><td>Doanh nghiệp Ví Dụ</td><td></td></tr>
<tr><td>10</td><td>198.51.100.2555</td><td>30/10/2026</td><td>Mirai</td><td>23</td><td>Trường THPT Lê Quý Đôn</td><td>địa chỉ gõ sai trong văn bản gốc</td></tr>
<tr><td colspan="4">Tổng cộng: 10 địa chỉ IP</td><td></td><td></td><td></td></tr>
</table></body></html>
HTML
ssconvert --export-type=Gnumeric_Excel:xlsx2 "$tmp/botnet-2026-10.html" "$tmp/botnet-2026-10.xlsx" 2>/dev/null
# ssconvert trims every cell; put back the stray spaces typed around an
# address and a family name, as they come in real files.
mkdir "$tmp/x"
(cd "$tmp/x" && unzip -q ../botnet-2026-10.xlsx)
sed -i -e 's|<t>203.0.113.5</t>|<t xml:space="preserve">  203.0.113.5 </t>|' \
	-e 's|<t>Gafgyt</t>|<t xml:space="preserve">Gafgyt  </t>|' "$tmp/x/xl/worksheets/sheet1.xml"
grep -q '  203.0.113.5 ' "$tmp/x/xl/worksheets/sheet1.xml" ||
	{ echo "make-botnet-list.sh: ssconvert wrote the sheet differently than expected" >&2; exit 1; }
rm -f "$out"
(cd "$tmp/x" && zip -q -X -r "$out" '[Content_Types].xml' _rels docProps xl)
echo "wrote $out"
