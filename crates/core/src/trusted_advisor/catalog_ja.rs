//! The checks' names and alert criteria in Japanese, as the console and the APIs give them
//! to a reader of Japanese (`language: ja`). AWS product and feature names stay as AWS
//! writes them in its Japanese console (Amazon S3, Elastic IP, Auto Scaling). A test
//! fails when a check of the catalog has no entry here.

use super::catalog::CheckDef;

/// `(id, name, criteria)`; criteria lines are separated as in the catalog (`<br>\n`).
static CHECKS: &[(&str, &str, &str)] = &[
    (
        "HCP4007jGY",
        "セキュリティグループ - 特定ポートの無制限アクセス",
        "緑: ポート 80、25、443、465 へのアクセスが無制限です。<br>\n赤: ポート 20、21、1433、1434、3306、3389、4333、5432、5500 へのアクセスが無制限です。<br>\n黄: その他のポートへのアクセスが無制限です。",
    ),
    (
        "1iG5NDGVre",
        "セキュリティグループ - 無制限のアクセス",
        "赤: ポート 25、80、443 以外について、送信元 IP アドレスのサフィックスが /0 のセキュリティグループルールがあります。",
    ),
    (
        "zXCkfM1nI3",
        "IAM の使用",
        "黄: このアカウントでは IAM ユーザーが作成されていません。",
    ),
    (
        "Pfx0RwqBli",
        "Amazon S3 バケットのアクセス許可",
        "黄: バケット ACL が全員または認証済みの全 AWS ユーザーにリスト権限を許可しています。<br>\n黄: バケットポリシーが何らかの公開アクセスを許可しています。<br>\n赤: バケット ACL が全員または認証済みの全 AWS ユーザーにアップロード/削除権限を許可しています。",
    ),
    (
        "7DAFEmoDos",
        "ルートアカウントの MFA",
        "赤: ルートアカウントで MFA が有効になっていません。",
    ),
    (
        "Yw2K9puPzl",
        "IAM パスワードポリシー",
        "黄: パスワードポリシーは有効ですが、内容の要件のうち少なくとも 1 つが有効になっていません。<br>\n赤: パスワードポリシーが有効になっていません。",
    ),
    (
        "ePs02jT06w",
        "Amazon EBS のパブリックスナップショット",
        "赤: EBS ボリュームのスナップショットがパブリックに設定されています。",
    ),
    (
        "rSs93HQwa1",
        "Amazon RDS のパブリックスナップショット",
        "赤: RDS スナップショットがパブリックに設定されています。",
    ),
    (
        "nNauJisYIT",
        "Amazon RDS セキュリティグループのアクセスリスク",
        "赤: DB セキュリティグループのルールが、サフィックス /0 の CIDR からのアクセスを許可しています。<br>\n黄: ルールの CIDR が /0 でも /32 でもありません。",
    ),
    (
        "vjafUGJ9H0",
        "AWS CloudTrail のログ記録",
        "黄: 証跡のログ配信エラーを CloudTrail が報告しています。<br>\n赤: リージョンに証跡が作成されていないか、証跡のログ記録が無効です。",
    ),
    (
        "DqdJqYeRm5",
        "IAM アクセスキーのローテーション",
        "緑: アクセスキーは有効で、過去 90 日以内にローテーションされています。<br>\n黄: アクセスキーは有効で、過去 2 年以内にローテーションされていますが、90 日より前です。<br>\n赤: アクセスキーは有効で、過去 2 年間ローテーションされていません。",
    ),
    (
        "12Fnkpl8Y5",
        "漏洩したアクセスキー",
        "赤: キーが漏洩した可能性があります。公開された、または不正と見られる使用があります。(運用者が登録します。)",
    ),
    (
        "L4dfs2Q4C5",
        "非推奨のランタイムを使用している AWS Lambda 関数",
        "赤: 関数のランタイムはすでに非推奨です。<br>\n黄: 関数のランタイムは 120 日以内に非推奨になります。",
    ),
    (
        "a2sEc6ILx",
        "ELB リスナーのセキュリティ",
        "黄: ロードバランサーに安全なプロトコル (HTTPS または SSL) を使うリスナーがありません。",
    ),
    (
        "xSqX82fQu",
        "ELB セキュリティグループ",
        "黄: ロードバランサーのセキュリティグループのインバウンドルールが、リスナー設定にないポートへのアクセスを許可しています。<br>\n赤: ロードバランサーに関連付けられたセキュリティグループが存在しません。",
    ),
    (
        "c9D319e7sG",
        "Amazon Route 53 の MX リソースレコードセットと Sender Policy Framework",
        "黄: MX リソースレコードセットに、有効な SPF 値を含む TXT または SPF リソースレコードがありません。",
    ),
    (
        "N425c450f2",
        "IAM 証明書ストアの CloudFront カスタム SSL 証明書",
        "赤: 証明書の有効期限が切れています。(運用者が登録します。)",
    ),
    (
        "N430c450f2",
        "オリジンサーバーの CloudFront SSL 証明書",
        "赤: オリジンの証明書の有効期限が切れています。(運用者が登録します。)",
    ),
    (
        "Qch7DwouX1",
        "使用率の低い Amazon EC2 インスタンス",
        "黄: 過去 14 日のうち 4 日以上、1 日平均の CPU 使用率が 10% 以下かつネットワーク I/O が 5 MB 以下でした。(CloudWatch のデータが必要なため運用者が登録します。)",
    ),
    (
        "hjLMh88uM8",
        "アイドル状態のロードバランサー",
        "黄: ロードバランサーに有効なバックエンドインスタンスがありません。",
    ),
    (
        "DAvU99Dc4C",
        "使用率の低い Amazon EBS ボリューム",
        "黄: ボリュームがアタッチされていません。",
    ),
    (
        "Z4AUBRNSmz",
        "関連付けられていない Elastic IP アドレス",
        "黄: 割り当て済みの Elastic IP アドレスが、実行中の Amazon EC2 インスタンスに関連付けられていません。",
    ),
    (
        "Ti39halfu8",
        "アイドル状態の Amazon RDS DB インスタンス",
        "黄: 有効な DB インスタンスに過去 7 日間接続がありません。(CloudWatch のデータが必要なため運用者が登録します。)",
    ),
    (
        "G31sQ1E9U",
        "使用率の低い Amazon Redshift クラスター",
        "黄: 実行中のクラスターに過去 7 日間接続がありません。(CloudWatch のデータが必要なため運用者が登録します。)",
    ),
    (
        "1e93e4c0b5",
        "Amazon EC2 リザーブドインスタンスのリース期限",
        "黄: 予約の有効期限が 30 日以内に切れます。<br>\n赤: 予約の有効期限が過去 30 日以内に切れました。(運用者が登録します。)",
    ),
    (
        "51fC20e7I2",
        "Amazon Route 53 のレイテンシーリソースレコードセット",
        "黄: ドメイン名にレイテンシーリソースレコードセットが 1 つしか設定されていません。",
    ),
    (
        "H7IgTzjTYb",
        "Amazon EBS スナップショット",
        "黄: ボリュームの最新のスナップショットが作成から 7 日以上 30 日以内です。<br>\n赤: ボリュームの最新のスナップショットが作成から 30 日を超えています。<br>\n赤: ボリュームにスナップショットがありません。",
    ),
    (
        "wuy7G1zxql",
        "Amazon EC2 アベイラビリティーゾーンのバランス",
        "黄: リージョン内でインスタンスがアベイラビリティーゾーンに偏って配置されています (使用中のゾーンの最多と最少の差が 20% を超えます)。<br>\n赤: リージョン内のインスタンスが 1 つのアベイラビリティーゾーンにしかありません。",
    ),
    (
        "iqdCTZKCUp",
        "ロードバランサーの最適化",
        "黄: ロードバランサーが 1 つのアベイラビリティーゾーンでのみ有効です。<br>\n黄: ロードバランサーが、有効なインスタンスのないアベイラビリティーゾーンで有効になっています。<br>\n黄: ロードバランサーに登録されたインスタンスがアベイラビリティーゾーン間で偏っています (2 台以上で、差が 20% を超えます)。",
    ),
    (
        "S45wrEXrLz",
        "VPN トンネルの冗長性",
        "黄: VPN の有効なトンネルが 1 つだけです。<br>\n黄: VPN に有効なトンネルがありません。",
    ),
    (
        "8CNsSllI5v",
        "Auto Scaling グループのリソース",
        "赤: Auto Scaling グループが削除済みのロードバランサーに関連付けられています。<br>\n赤: 起動設定が削除済みの AMI に関連付けられています。",
    ),
    (
        "opQPADkZvH",
        "Amazon RDS のバックアップ",
        "赤: DB インスタンスのバックアップ保持期間が 0 日に設定されています。",
    ),
    (
        "f2iK5R6Dep",
        "Amazon RDS のマルチ AZ",
        "黄: DB インスタンスが単一のアベイラビリティーゾーンにデプロイされています。(SQL Server インスタンスは対象外です。)",
    ),
    (
        "CLOG40CDO8",
        "Auto Scaling グループのヘルスチェック",
        "黄: Auto Scaling グループにロードバランサーが関連付けられていますが、Elastic Load Balancing のヘルスチェックが有効ではありません。<br>\n黄: Auto Scaling グループにロードバランサーが関連付けられていないのに、Elastic Load Balancing のヘルスチェックが有効です。",
    ),
    (
        "BueAdJ7NrP",
        "Amazon S3 バケットのログ記録",
        "黄: バケットのサーバーアクセスログ記録が有効になっていません。<br>\n赤: バケットのログの保存先バケットが存在しません。<br>\n赤: バケットとログの保存先バケットの所有者が異なります。",
    ),
    (
        "R365s2Qddf",
        "Amazon S3 バケットのバージョニング",
        "緑: バケットのバージョニングが有効です。<br>\n黄: バケットのバージョニングが有効になっていません。<br>\n黄: バケットのバージョニングが停止されています。",
    ),
    (
        "xuy7H1avtl",
        "Amazon Aurora DB インスタンスのアクセシビリティ",
        "黄: Aurora DB クラスターのインスタンスにパブリックとプライベートのアクセシビリティが混在しています。",
    ),
    (
        "xdeXZKIUy",
        "ELB のクロスゾーン負荷分散",
        "黄: ロードバランサーでクロスゾーン負荷分散が有効になっていません。",
    ),
    (
        "7qGXsKIUw",
        "ELB の Connection Draining",
        "黄: ロードバランサーで Connection Draining が有効になっていません。",
    ),
    (
        "C056F80cR3",
        "Amazon Route 53 の TTL の長いリソースレコードセット",
        "黄: ルーティングポリシーがフェイルオーバーのリソースレコードセットの TTL が 60 秒を超えています。<br>\n黄: ヘルスチェックが関連付けられたリソースレコードセットの TTL が 60 秒を超えています。",
    ),
    (
        "cF171Db240",
        "Amazon Route 53 のネームサーバーの委任",
        "黄: ホストゾーンのドメインが、そのネームサーバーのうち 4 つ未満にしか委任されていません。(レジストラーの委任情報が必要なため運用者が登録します。)",
    ),
    (
        "b73EEdD790",
        "Amazon Route 53 のフェイルオーバーリソースレコードセット",
        "黄: フェイルオーバーリソースレコードセットに対となるレコードがありません (セカンダリのないプライマリ、またはその逆)。",
    ),
    (
        "Cb877eB72b",
        "Amazon Route 53 の削除されたヘルスチェック",
        "黄: リソースレコードセットが削除済みのヘルスチェックに関連付けられています。",
    ),
    (
        "0t121N1Ty3",
        "AWS Direct Connect 接続の冗長性",
        "黄: リージョンに Direct Connect 接続が 1 つしかありません。(運用者が登録します。)",
    ),
    (
        "8M012Ph3U5",
        "AWS Direct Connect ロケーションの冗長性",
        "黄: リージョン内のすべての Direct Connect 接続が 1 つのロケーションにあります。(運用者が登録します。)",
    ),
    (
        "4g3Nt5M1Th",
        "AWS Direct Connect 仮想インターフェイスの冗長性",
        "黄: ゲートウェイの仮想インターフェイスが 2 つ未満か、同じ接続を共有しています。(運用者が登録します。)",
    ),
    (
        "ZRxQlPsb6c",
        "使用率の高い Amazon EC2 インスタンス",
        "黄: 過去 14 日のうち 4 日以上、1 日平均の CPU 使用率が 90% を超えていました。(CloudWatch のデータが必要なため運用者が登録します。)",
    ),
    (
        "tfg86AVHAZ",
        "EC2 セキュリティグループの多数のルール",
        "黄: EC2-VPC セキュリティグループのルールが 50 を超えています。",
    ),
    (
        "j3DFqYTe29",
        "インスタンスに適用される多数の EC2 セキュリティグループルール",
        "黄: EC2-VPC インスタンスに適用されるセキュリティグループルールが 50 を超えています。",
    ),
    (
        "PPkZrjsH2q",
        "Amazon EBS プロビジョンド IOPS (SSD) ボリュームのアタッチ設定",
        "黄: EBS 最適化に対応したインスタンスにプロビジョンド IOPS (SSD) ボリュームがアタッチされていますが、EBS 最適化が有効ではありません。",
    ),
    (
        "B913Ef6fb4",
        "Amazon Route 53 のエイリアスリソースレコードセット",
        "黄: リソースレコードセットが Amazon S3 ウェブサイト、CloudFront ディストリビューション、または Elastic Load Balancing ロードバランサーへの CNAME です。",
    ),
    (
        "k3J2hns32g",
        "使用率の高い Amazon EBS マグネティックボリューム",
        "黄: マグネティックボリュームがほとんどの日で容量の 90% を超えて使用されています。(CloudWatch のデータが必要なため運用者が登録します。)",
    ),
    (
        "796d6f3D83",
        "CloudFront コンテンツ配信の最適化",
        "黄: バケットからの転送量が保存量に比べて大きくなっています。(利用量のデータが必要なため運用者が登録します。)",
    ),
    (
        "N415c450f2",
        "CloudFront のヘッダー転送とキャッシュヒット率",
        "黄: キャッシュ動作が、キャッシュヒット率を下げるヘッダーを転送しています。(運用者が登録します。)",
    ),
    (
        "Bh2xRR2FGH",
        "Amazon EC2 から EBS へのスループットの最適化",
        "黄: インスタンスの EBS スループットが頻繁に上限近くに達しています。(CloudWatch のデータが必要なため運用者が登録します。)",
    ),
    (
        "N420c450f2",
        "CloudFront の代替ドメイン名",
        "黄: 代替ドメイン名がディストリビューションに解決されません。(運用者が登録します。)",
    ),
];

/// Service limits' names (their criteria are shared).
static LIMITS: &[(&str, &str)] = &[
    ("0Xc6LMYG8P", "EC2 オンデマンドインスタンス"),
    ("hJ7NN0l7J9", "SES の 1 日あたりの送信クォータ"),
    (
        "tV7YY0l7J9",
        "EBS プロビジョンド IOPS (SSD) ボリュームの合計 IOPS",
    ),
    (
        "gI7MM0l7J9",
        "EBS プロビジョンド IOPS SSD (io1) ボリュームのストレージ",
    ),
    ("eI7KK0l7J9", "EBS のアクティブなスナップショット"),
    ("dH7RR0l6J9", "EBS 汎用 SSD (gp2) ボリュームのストレージ"),
    (
        "cG7HH0l7J9",
        "EBS マグネティック (standard) ボリュームのストレージ",
    ),
    ("iH7PP0l7J9", "EC2 リザーブドインスタンスのリース"),
    ("bW7HH0l7J9", "リージョンあたりの Kinesis シャード"),
    ("gW7HH0l7J9", "CloudFormation スタック"),
    ("aW7HH0l7J9", "Auto Scaling 起動設定"),
    ("fW7HH0l7J9", "Auto Scaling グループ"),
    ("jL7PP0l7J9", "VPC"),
    ("kM7QQ0l7J9", "VPC インターネットゲートウェイ"),
    ("lN7RR0l7J9", "EC2-VPC Elastic IP アドレス"),
    ("nO7SS0l7J9", "IAM インスタンスプロファイル"),
    ("oQ7TT0l7J9", "IAM ロール"),
    ("pR7UU0l7J9", "IAM ポリシー"),
    ("qS7VV0l7J9", "IAM ユーザー"),
    ("rT7WW0l7J9", "IAM サーバー証明書"),
    ("sU7XX0l7J9", "IAM グループ"),
    ("iK7OO0l7J9", "ELB Classic Load Balancer"),
    ("7fuccf1Mx7", "RDS クラスターロール"),
    ("jtlIMO3qZM", "RDS クラスターパラメータグループ"),
    ("gjqMBn6pjz", "RDS クラスター"),
    ("UUDvOa5r34", "RDS リザーブドインスタンス"),
    ("jEhCtdJKOY", "RDS サブネットグループあたりのサブネット"),
    ("dYWBaXaaMM", "RDS サブネットグループ"),
    ("3Njm0DJQO9", "RDS オプショングループ"),
    ("keAhfbH5yb", "RDS イベントサブスクリプション"),
    ("dV84wpqRUs", "RDS DB 手動スナップショット"),
    ("P1jhKWEmLa", "RDS の合計ストレージクォータ"),
    ("jEECYg2YVU", "RDS DB パラメータグループ"),
    ("pYW8UkYz2w", "RDS マスターあたりのリードレプリカ"),
    ("gfZAn3W7wl", "RDS DB セキュリティグループ"),
    ("XG0aXHpIEt", "RDS DB インスタンス"),
    ("dBkuNCvqn5", "RDS セキュリティグループあたりの最大許可数"),
    (
        "wH7DD0l3J9",
        "EBS スループット最適化 HDD (st1) ボリュームのストレージ",
    ),
    ("gH5CC0e3J9", "EBS Cold HDD (sc1) ボリュームのストレージ"),
    ("6gtQddfEw6", "DynamoDB の読み込みキャパシティ"),
    ("c5ftjdfkMr", "DynamoDB の書き込みキャパシティ"),
    ("ru4xfcdfMr", "Route 53 のヘルスチェックの上限"),
    ("dx3xfcdfMr", "Route 53 のホストゾーン"),
    ("ty3xfcdfMr", "Route 53 の再利用可能な委任セット"),
    ("dx3xfbjfMr", "Route 53 のトラフィックポリシー"),
    ("dx8afcdfMr", "Route 53 のトラフィックポリシーインスタンス"),
    ("EM8b3yLRTr", "ELB Application Load Balancer"),
    ("8wIqYSt25K", "ELB Network Load Balancer"),
    ("dH7RR0l6J3", "EBS 汎用 SSD (gp3) ボリュームのストレージ"),
    (
        "gI7MM0l7J2",
        "EBS プロビジョンド IOPS SSD (io2) ボリュームのストレージ",
    ),
];

const LIMIT_CRITERIA: &str =
    "黄: 上限の 80% に達しています。<br>\n赤: 上限の 100% に達しています。";

/// A check's name for a reader of `language` (`ja`, else AWS's English).
pub fn name(def: &CheckDef, language: &str) -> &'static str {
    if language != "ja" {
        return def.name;
    }
    CHECKS
        .iter()
        .find(|(id, ..)| *id == def.id)
        .map(|(_, n, _)| *n)
        .or_else(|| LIMITS.iter().find(|(id, _)| *id == def.id).map(|(_, n)| *n))
        .unwrap_or(def.name)
}

/// A check's alert criteria for a reader of `language`.
pub fn criteria(def: &CheckDef, language: &str) -> &'static str {
    if language != "ja" {
        return def.criteria;
    }
    CHECKS
        .iter()
        .find(|(id, ..)| *id == def.id)
        .map(|(.., c)| *c)
        .or_else(|| {
            LIMITS
                .iter()
                .any(|(id, _)| *id == def.id)
                .then_some(LIMIT_CRITERIA)
        })
        .unwrap_or(def.criteria)
}

#[cfg(test)]
mod tests {
    use super::super::catalog::CHECKS as CATALOG;
    use super::*;

    #[test]
    fn every_check_has_japanese_with_as_many_criteria_lines() {
        for def in CATALOG {
            let listed = CHECKS.iter().any(|(id, ..)| *id == def.id)
                || LIMITS.iter().any(|(id, _)| *id == def.id);
            assert!(listed, "{} has no Japanese name", def.id);
            assert_eq!(
                criteria(def, "ja").split("<br>\n").count(),
                def.criteria.split("<br>\n").count(),
                "{}",
                def.id
            );
            assert_eq!(name(def, "en"), def.name);
        }
        assert_eq!(CHECKS.len() + LIMITS.len(), CATALOG.len());
    }
}

/// Column headings in Japanese, by AWS's English heading (`Day N` and `Instances in Zone
/// x` are made by `column`).
static COLUMNS: &[(&str, &str)] = &[
    ("# of Zones", "ゾーン数"),
    ("14-Day Average CPU Utilization", "14 日間の平均 CPU 使用率"),
    (
        "14-Day Average Network I/O",
        "14 日間の平均ネットワーク I/O",
    ),
    ("ACL Allows List", "ACL でリストを許可"),
    ("ACL Allows Upload/Delete", "ACL でアップロード/削除を許可"),
    ("Access Key", "アクセスキー"),
    ("Access Key ID", "アクセスキー ID"),
    ("Active Tunnels", "有効なトンネル"),
    ("Alias Target", "エイリアスターゲット"),
    ("Alternate Domain Name", "代替ドメイン名"),
    ("Auto Scaling Group Name", "Auto Scaling グループ名"),
    ("Average Daily Invokes", "1 日の平均呼び出し数"),
    ("Backup Retention Period", "バックアップ保持期間"),
    ("Bucket Name", "バケット名"),
    (
        "Cache Behavior Path Pattern",
        "キャッシュ動作のパスパターン",
    ),
    ("Case ID", "ケース ID"),
    ("Certificate Name", "証明書名"),
    ("Cluster", "クラスター"),
    ("Connection Details", "接続の詳細"),
    ("Connection ID", "接続 ID"),
    ("Connection ID for VIF", "VIF の接続 ID"),
    ("Current Monthly Cost", "現在の月額コスト"),
    ("Current Usage", "現在の使用量"),
    ("Customer Gateway", "カスタマーゲートウェイ"),
    ("DB Instance", "DB インスタンス"),
    ("DB Instance Name", "DB インスタンス名"),
    (
        "DB Instance or Cluster ID",
        "DB インスタンスまたはクラスター ID",
    ),
    ("Data Transfer Out (GB)", "データ転送 (送信) (GB)"),
    ("Days Since Last Connection", "最終接続からの日数"),
    ("Days to Deprecation", "非推奨までの日数"),
    ("Deadline", "期限"),
    ("Deprecation Date", "非推奨日"),
    ("Description", "説明"),
    (
        "Distribution Domain Name",
        "ディストリビューションのドメイン名",
    ),
    ("Distribution ID", "ディストリビューション ID"),
    ("EBS Optimized", "EBS 最適化"),
    ("Estimated Monthly Savings", "月間の推定節約額"),
    (
        "Estimated Monthly Savings (On Demand)",
        "月間の推定節約額 (オンデマンド)",
    ),
    ("Expiration Date", "有効期限"),
    ("Fraud Type", "不正の種類"),
    ("Function ARN", "関数 ARN"),
    ("Gateway ID", "ゲートウェイ ID"),
    ("Group ID", "グループ ID"),
    ("Headers", "ヘッダー"),
    ("Health Check", "ヘルスチェック"),
    ("Hosted Zone ID", "ホストゾーン ID"),
    ("Hosted Zone Name", "ホストゾーン名"),
    ("IAM User", "IAM ユーザー"),
    ("IP Address", "IP アドレス"),
    ("IP Range", "IP 範囲"),
    ("Ignored Bucket Name", "無視されたバケット名"),
    ("Ingress Rule", "受信ルール"),
    ("Instance Count", "インスタンス数"),
    ("Instance ID", "インスタンス ID"),
    ("Instance Name", "インスタンス名"),
    ("Instance Type", "インスタンスタイプ"),
    ("Key Last Rotated", "キーの最終ローテーション"),
    ("Last Delivery Error", "最後の配信エラー"),
    ("Last Refresh Time", "最終更新時刻"),
    ("Launch Configuration Name", "起動設定名"),
    ("Launch Name", "起動名"),
    ("Launch Type", "起動タイプ"),
    ("Limit Amount", "上限"),
    ("Limit Name", "上限の名前"),
    ("Load Balancer Associated", "関連付けられたロードバランサー"),
    ("Load Balancer Name", "ロードバランサー名"),
    ("Load Balancer Port", "ロードバランサーのポート"),
    ("Location", "ロケーション"),
    ("Location for VIF", "VIF のロケーション"),
    ("Logging Status", "ログ記録の状態"),
    ("Lowercase", "小文字"),
    ("MFA Delete Enabled", "MFA Delete の有効化"),
    ("Max Daily Median", "1 日の中央値の最大"),
    ("Monthly Storage Cost", "月額ストレージコスト"),
    ("Multi-AZ", "マルチ AZ"),
    ("Non-alphanumeric", "英数字以外"),
    ("Number", "数字"),
    ("Number of Days Low Utilization", "使用率の低い日数"),
    ("Number of Days Over", "超過した日数"),
    (
        "Number of Days over 90% CPU Utilization",
        "CPU 使用率が 90% を超えた日数",
    ),
    (
        "Number of Name Server Delegations Used",
        "使用中のネームサーバー委任数",
    ),
    ("Origin", "オリジン"),
    ("Password Policy", "パスワードポリシー"),
    ("Platform", "プラットフォーム"),
    ("Policy Allows Access", "ポリシーでアクセスを許可"),
    ("Port", "ポート"),
    ("Ports", "ポート"),
    ("Private DB Instances", "プライベート DB インスタンス"),
    ("Protocol", "プロトコル"),
    ("Public DB Instances", "パブリック DB インスタンス"),
    ("RDS Security Group Name", "RDS セキュリティグループ名"),
    ("Ratio of Transfer to Storage", "転送量と保存量の比率"),
    ("Reason", "理由"),
    ("Region", "リージョン"),
    ("Region API Parameter", "リージョン API パラメータ"),
    ("Region Name", "リージョン名"),
    ("Region/AZ", "リージョン/AZ"),
    ("Reserved Instance ID", "リザーブドインスタンス ID"),
    ("Resource Name", "リソース名"),
    ("Resource Record Set ID", "リソースレコードセット ID"),
    (
        "Resource Record Set Identifier",
        "リソースレコードセット識別子",
    ),
    ("Resource Record Set Name", "リソースレコードセット名"),
    ("Resource Record Set Type", "リソースレコードセットのタイプ"),
    ("Resource Type", "リソースタイプ"),
    ("Runtime", "ランタイム"),
    ("S3 Storage (GB)", "S3 ストレージ (GB)"),
    ("Same Owner", "同じ所有者"),
    ("Security Group ID", "セキュリティグループ ID"),
    ("Security Group IDs", "セキュリティグループ ID"),
    ("Security Group Name", "セキュリティグループ名"),
    ("Service", "サービス"),
    ("Snapshot Age", "スナップショットの経過日数"),
    ("Snapshot ID", "スナップショット ID"),
    ("Snapshot Name", "スナップショット名"),
    ("Status", "ステータス"),
    (
        "Storage Provisioned (GB)",
        "プロビジョニング済みストレージ (GB)",
    ),
    ("TTL", "TTL"),
    ("Target Exists", "ターゲットの有無"),
    ("Target Name", "ターゲット名"),
    ("Time Near Maximum", "上限付近の時間"),
    ("Time Updated", "更新時刻"),
    ("Timestamp", "タイムスタンプ"),
    ("Total Inbound Rules", "受信ルールの合計"),
    ("Total Outbound Rules", "送信ルールの合計"),
    ("Trail Name", "証跡名"),
    ("Uppercase", "大文字"),
    ("Usage (USD per Day)", "使用量 (1 日あたり USD)"),
    ("User Name (IAM or Root)", "ユーザー名 (IAM またはルート)"),
    ("VPC", "VPC"),
    ("VPC ID", "VPC ID"),
    ("VPN ID", "VPN ID"),
    ("Versioning", "バージョニング"),
    ("Virtual Private Gateway", "仮想プライベートゲートウェイ"),
    ("Volume Attachment", "ボリュームのアタッチ"),
    ("Volume ID", "ボリューム ID"),
    ("Volume Name", "ボリューム名"),
    ("Volume Size", "ボリュームサイズ"),
    ("Volume Type", "ボリュームタイプ"),
    ("Write Enabled", "書き込みの有効化"),
    ("Zone", "ゾーン"),
];

/// A column heading for a reader of `language`.
pub fn column(heading: &'static str, language: &str) -> std::borrow::Cow<'static, str> {
    use std::borrow::Cow;
    if language != "ja" {
        return Cow::Borrowed(heading);
    }
    if let Some((_, ja)) = COLUMNS.iter().find(|(en, _)| *en == heading) {
        return Cow::Borrowed(ja);
    }
    if let Some(n) = heading.strip_prefix("Day ") {
        return Cow::Owned(format!("{n} 日目"));
    }
    if let Some(z) = heading.strip_prefix("Instances in Zone ") {
        return Cow::Owned(format!("ゾーン {z} のインスタンス"));
    }
    Cow::Borrowed(heading)
}

#[cfg(test)]
mod column_tests {
    use super::super::catalog::CHECKS as CATALOG;
    use super::*;

    #[test]
    fn every_column_has_japanese() {
        for def in CATALOG {
            for heading in def.metadata {
                let ja = column(heading, "ja");
                let known = COLUMNS.iter().any(|(en, _)| en == heading)
                    || heading.starts_with("Day ")
                    || heading.starts_with("Instances in Zone ");
                assert!(known, "{}: '{heading}' has no Japanese", def.id);
                assert!(!ja.is_empty());
            }
        }
        assert_eq!(column("Day 3", "ja"), "3 日目");
        assert_eq!(column("Region", "en"), "Region");
    }
}
